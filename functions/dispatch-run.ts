import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadConfig } from '#shared/config/load-config.ts';
import { dispatchDeps, dispatchVariables, stepRequestsVariables } from '#shared/lambda/aws-deps.ts';
import { ScheduleTickSchema } from '#shared/messages/schedule-tick.ts';
import { logger } from '#shared/observability/logger.ts';
import { type DispatchOutcome, dispatchRun } from '#shared/use-cases/dispatch-run.ts';
import * as z from '#shared/zod.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const DispatchRunEnvSchema = z.object({ ...dispatchVariables, ...stepRequestsVariables });

const config = loadConfig(DispatchRunEnvSchema);
// A tick skipped here (a holiday, a pause, unmet dependencies) settles its run: its dependents are judged next.
const deps = dispatchDeps(config);

/** The schedule's target: one tick of one group becomes one run (a repeated tick does nothing). */
const lambdaHandler = async (event: unknown): Promise<DispatchOutcome> => {
  const tick = ScheduleTickSchema.parse(event);
  logger.appendKeys({ groupId: tick.groupId, scheduledTime: tick.scheduledTime });
  return dispatchRun(tick, deps);
};

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
