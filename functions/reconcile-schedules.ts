import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createSchedulerClient } from '#shared/adapters/aws-clients.ts';
import { EventBridgeScheduleStore } from '#shared/adapters/event-bridge-schedule-store.ts';
import { sqsDeadLetterStores } from '#shared/adapters/sqs-dead-letter-store.ts';
import { systemClock } from '#shared/adapters/system-clock.ts';
import { loadConfig, requiredString } from '#shared/config/load-config.ts';
import { backfillStepsVariables, dispatchPorts, dispatchVariables, sqsBackfillSteps } from '#shared/lambda/aws-deps.ts';
import { log, logger } from '#shared/observability/logger.ts';
import { metricNames } from '#shared/observability/metric-names.ts';
import { emfMetrics, MetricUnit, metrics } from '#shared/observability/metrics.ts';
import { type DispatchRequest, dispatchRun } from '#shared/use-cases/dispatch-run.ts';
import { type ReconcileReport, reconcileSchedules } from '#shared/use-cases/reconcile-schedules.ts';
import { type MissedRunsReport, recordMissedRuns } from '#shared/use-cases/record-missed-runs.ts';
import { requestBackfillSteps } from '#shared/use-cases/request-backfill-steps.ts';
import { type SupervisionReport, superviseRuns } from '#shared/use-cases/supervise-runs.ts';
import * as z from '#shared/zod.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const ReconcileSchedulesEnvSchema = z.object({
  ...dispatchVariables,
  ...backfillStepsVariables,
  JQUANTS_DEAD_LETTER_QUEUE_URL: requiredString(),
  YAHOO_DEAD_LETTER_QUEUE_URL: requiredString(),
  SCHEDULE_GROUP_NAME: requiredString(),
  SCHEDULER_ROLE_ARN: requiredString(),
  DISPATCHER_FUNCTION_ARN: requiredString(),
});

const config = loadConfig(ReconcileSchedulesEnvSchema);
// Catch-up and resumed dispatches go through the dispatcher's own use case, as the admin API's run-now does.
const backfillSteps = sqsBackfillSteps(config);
const dispatchDeps = { ...dispatchPorts(config), backfillSteps, clock: systemClock, log, metrics: emfMetrics };
const deps = {
  groupStore: dispatchDeps.groupStore,
  runLedger: dispatchDeps.runLedger,
  backfillStore: dispatchDeps.backfillStore,
  backfillSteps,
  queues: dispatchDeps.queues,
  deadLetterStores: sqsDeadLetterStores({
    jquants: config.JQUANTS_DEAD_LETTER_QUEUE_URL,
    yahoo: config.YAHOO_DEAD_LETTER_QUEUE_URL,
  }),
  dispatch: (request: DispatchRequest) => dispatchRun(request, dispatchDeps),
  scheduleStore: new EventBridgeScheduleStore({
    client: createSchedulerClient(),
    groupName: config.SCHEDULE_GROUP_NAME,
    targetArn: config.DISPATCHER_FUNCTION_ARN,
    roleArn: config.SCHEDULER_ROLE_ARN,
  }),
  clock: systemClock,
  log,
  metrics: emfMetrics,
};

/**
 * Every 5 minutes: repair schedule drift, resume expired pauses, record missed and skipped runs, catch up missed runs
 * by the group's policy, bring every run that began to its true end (`superviseRuns`), and step every open backfill.
 */
const lambdaHandler = async (): Promise<ReconcileReport & MissedRunsReport & SupervisionReport> => {
  const report = await reconcileSchedules(deps);
  const runs = await recordMissedRuns(deps);
  const supervision = await superviseRuns(deps);
  const backfills = await requestBackfillSteps(deps);
  metrics.addMetric(metricNames.runsMissed, MetricUnit.Count, runs.missed.length);
  metrics.addMetric(metricNames.runsCaughtUp, MetricUnit.Count, runs.caughtUp.length);
  const repaired = report.created.length + report.updated.length + report.deleted.length;
  metrics.addMetric('SchedulesRepaired', MetricUnit.Count, repaired);
  metrics.addMetric('GroupsResumed', MetricUnit.Count, report.resumed.length);
  metrics.addMetric('ScheduleRepairsFailed', MetricUnit.Count, report.failed.length);
  metrics.addMetric(metricNames.unreadableGroups, MetricUnit.Count, report.unreadable.length);
  metrics.addMetric(metricNames.runsTimedOut, MetricUnit.Count, supervision.timedOut.length);
  metrics.addMetric(metricNames.jobMessagesResent, MetricUnit.Count, supervision.resent);
  logger.info('schedules reconciled', { count: repaired, ...report, ...runs, ...supervision, backfills });
  return { ...report, ...runs, ...supervision };
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
