import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { createDocumentClient, createSchedulerClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbJobGroupStore } from '#shared/adapters/dynamodb-job-group-store.ts';
import { EventBridgeScheduleStore } from '#shared/adapters/event-bridge-schedule-store.ts';
import { loadConfig, requiredString } from '#shared/config/load-config.ts';
import { isPermanentError } from '#shared/domain/errors.ts';
import { logger } from '#shared/observability/logger.ts';
import { convergeGroupSchedule } from '#shared/use-cases/converge-group-schedule.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const SyncSchedulesEnvSchema = z.object({
  JOB_GROUPS_TABLE_NAME: requiredString(),
  SCHEDULE_GROUP_NAME: requiredString(),
  SCHEDULER_ROLE_ARN: requiredString(),
  DISPATCHER_FUNCTION_ARN: requiredString(),
});

const config = loadConfig(SyncSchedulesEnvSchema);
const deps = {
  groupStore: new DynamoDbJobGroupStore({ client: createDocumentClient(), tableName: config.JOB_GROUPS_TABLE_NAME }),
  scheduleStore: new EventBridgeScheduleStore({
    client: createSchedulerClient(),
    groupName: config.SCHEDULE_GROUP_NAME,
    targetArn: config.DISPATCHER_FUNCTION_ARN,
    roleArn: config.SCHEDULER_ROLE_ARN,
  }),
};
const processor = new BatchProcessor(EventType.DynamoDBStreams);
const GroupKeySchema = z.object({ id: z.object({ S: z.string().min(1) }) });

/** A record names a group; its schedule converges on the group as stored now (see convergeGroupSchedule). */
const recordHandler = async (record: DynamoDBRecord): Promise<void> => {
  const groupId = GroupKeySchema.parse(record.dynamodb?.Keys).id.S;
  try {
    const outcome = await convergeGroupSchedule(groupId, deps);
    logger.info('group schedule converged', { groupId, outcome, eventName: record.eventName });
  } catch (error) {
    // A stored group whose schedule can never be built would fail forever: report it, let the stream move on.
    if (!isPermanentError(error)) throw error;
    logger.error('group schedule cannot be built', { groupId, error });
  }
};

const lambdaHandler = (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> =>
  processPartialResponse(event, recordHandler, processor, { context });

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
