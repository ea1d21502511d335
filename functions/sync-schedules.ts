import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient, createSchedulerClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbJobGroupStore } from '#shared/adapters/dynamodb-job-group-store.ts';
import { EventBridgeScheduleStore } from '#shared/adapters/event-bridge-schedule-store.ts';
import { loadConfig, requiredString } from '#shared/config/load-config.ts';
import { syncGroupScheduleRecord } from '#shared/lambda/sync-group-schedule-record.ts';
import { log, logger } from '#shared/observability/logger.ts';
import * as z from '#shared/zod.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const SyncSchedulesEnvSchema = z.object({
  JOB_GROUPS_TABLE_NAME: requiredString(),
  SCHEDULE_GROUP_NAME: requiredString(),
  SCHEDULER_ROLE_ARN: requiredString(),
  DISPATCHER_FUNCTION_ARN: requiredString(),
  SCHEDULE_DEAD_LETTER_QUEUE_ARN: requiredString(),
});

const config = loadConfig(SyncSchedulesEnvSchema);
const recordHandler = syncGroupScheduleRecord({
  groupStore: new DynamoDbJobGroupStore({ client: createDocumentClient(), tableName: config.JOB_GROUPS_TABLE_NAME }),
  scheduleStore: new EventBridgeScheduleStore({
    client: createSchedulerClient(),
    groupName: config.SCHEDULE_GROUP_NAME,
    targetArn: config.DISPATCHER_FUNCTION_ARN,
    roleArn: config.SCHEDULER_ROLE_ARN,
    deadLetterQueueArn: config.SCHEDULE_DEAD_LETTER_QUEUE_ARN,
  }),
  log,
});
const processor = new BatchProcessor(EventType.DynamoDBStreams);

/** One failing record is reported alone (ReportBatchItemFailures), so its neighbours are not replayed. */
const lambdaHandler = (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> =>
  processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
