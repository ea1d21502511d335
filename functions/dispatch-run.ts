import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { loadConfig, requiredString } from '#shared/config/load-config.ts';
import { ScheduleTickSchema } from '#shared/messages/schedule-tick.ts';
import { logger } from '#shared/observability/logger.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const DispatchRunEnvSchema = z.object({
  JOB_GROUPS_TABLE_NAME: requiredString(),
  JOB_RUNS_TABLE_NAME: requiredString(),
  MARKET_DATA_TABLE_NAME: requiredString(),
  DATA_SOURCES_TABLE_NAME: requiredString(),
  JQUANTS_QUEUE_URL: requiredString(),
  YAHOO_QUEUE_URL: requiredString(),
});

loadConfig(DispatchRunEnvSchema);

/**
 * The schedule's target. Until the data plane lands it validates the tick and records it in the log only: no run
 * is claimed and no job is sent, so nothing exists that could be lost.
 */
const lambdaHandler = async (event: unknown): Promise<void> => {
  const tick = ScheduleTickSchema.parse(event);
  logger.info('schedule tick received', { groupId: tick.groupId, scheduledTime: tick.scheduledTime });
};

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
