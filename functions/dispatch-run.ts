import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { dynamoDbStores, sqsJobQueues } from '#shared/adapters/aws-deps.ts';
import { systemClock } from '#shared/adapters/system-clock.ts';
import { loadConfig, requiredString } from '#shared/config/load-config.ts';
import { ScheduleTickSchema } from '#shared/messages/schedule-tick.ts';
import { log, logger } from '#shared/observability/logger.ts';
import { type DispatchOutcome, dispatchRun } from '#shared/use-cases/dispatch-run.ts';
import * as z from '#shared/zod.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const DispatchRunEnvSchema = z.object({
  JOB_GROUPS_TABLE_NAME: requiredString(),
  JOB_RUNS_TABLE_NAME: requiredString(),
  MARKET_DATA_TABLE_NAME: requiredString(),
  DATA_SOURCES_TABLE_NAME: requiredString(),
  JQUANTS_QUEUE_URL: requiredString(),
  YAHOO_QUEUE_URL: requiredString(),
});

const config = loadConfig(DispatchRunEnvSchema);
const stores = dynamoDbStores({
  jobGroups: config.JOB_GROUPS_TABLE_NAME,
  jobRuns: config.JOB_RUNS_TABLE_NAME,
  marketData: config.MARKET_DATA_TABLE_NAME,
  dataSources: config.DATA_SOURCES_TABLE_NAME,
});
const deps = {
  ...stores,
  queues: sqsJobQueues({ jquants: config.JQUANTS_QUEUE_URL, yahoo: config.YAHOO_QUEUE_URL }),
  clock: systemClock,
  log,
};

/** The schedule's target: one tick of one group becomes one run (a repeated tick does nothing). */
const lambdaHandler = async (event: unknown): Promise<DispatchOutcome> => {
  const tick = ScheduleTickSchema.parse(event);
  logger.appendKeys({ groupId: tick.groupId, scheduledTime: tick.scheduledTime });
  return dispatchRun(tick, deps);
};

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
