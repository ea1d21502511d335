import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createSchedulerClient } from '#shared/adapters/aws-clients.ts';
import { EventBridgeScheduleStore } from '#shared/adapters/event-bridge-schedule-store.ts';
import { sqsDeadLetterStores } from '#shared/adapters/sqs-dead-letter-store.ts';
import { systemClock } from '#shared/adapters/system-clock.ts';
import { loadConfig, requiredString } from '#shared/config/load-config.ts';
import { dispatchPorts, dispatchVariables, sqsStepRequests, stepRequestsVariables } from '#shared/lambda/aws-deps.ts';
import { log, logger } from '#shared/observability/logger.ts';
import { metricNames } from '#shared/observability/metric-names.ts';
import { emfMetrics, MetricUnit, metrics } from '#shared/observability/metrics.ts';
import { freshnessPass } from '#shared/use-cases/alerts.ts';
import { requestLostDependentChecks } from '#shared/use-cases/check-dependents.ts';
import { type DispatchRequest, dispatchRun } from '#shared/use-cases/dispatch-run.ts';
import { type ReconcileReport, reconcileSchedules } from '#shared/use-cases/reconcile-schedules.ts';
import { countPass } from '#shared/use-cases/reconciler-counts.ts';
import { type MissedRunsReport, recordMissedRuns } from '#shared/use-cases/record-missed-runs.ts';
import { requestBackfillSteps } from '#shared/use-cases/request-backfill-steps.ts';
import { type SupervisionReport, superviseRuns } from '#shared/use-cases/supervise-runs.ts';
import * as z from '#shared/zod.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const ReconcileSchedulesEnvSchema = z.object({
  ...dispatchVariables,
  ...stepRequestsVariables,
  JQUANTS_DEAD_LETTER_QUEUE_URL: requiredString(),
  YAHOO_DEAD_LETTER_QUEUE_URL: requiredString(),
  SCHEDULE_GROUP_NAME: requiredString(),
  SCHEDULER_ROLE_ARN: requiredString(),
  DISPATCHER_FUNCTION_ARN: requiredString(),
  SCHEDULE_DEAD_LETTER_QUEUE_ARN: requiredString(),
});

const config = loadConfig(ReconcileSchedulesEnvSchema);
// Catch-up and resumed dispatches go through the dispatcher's own use case, as the admin API's run-now does.
const steps = sqsStepRequests(config);
const dispatchDeps = { ...dispatchPorts(config), steps, clock: systemClock, log, metrics: emfMetrics };
const deps = {
  groupStore: dispatchDeps.groupStore,
  runLedger: dispatchDeps.runLedger,
  backfillStore: dispatchDeps.backfillStore,
  tradingCalendar: dispatchDeps.tradingCalendar,
  steps,
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
    deadLetterQueueArn: config.SCHEDULE_DEAD_LETTER_QUEUE_ARN,
  }),
  clock: systemClock,
  log,
  metrics: emfMetrics,
};

/**
 * Every 5 minutes: repair schedule drift, resume expired pauses, record missed and skipped runs, catch up missed runs
 * by the group's policy, bring every run that began to its true end (`superviseRuns`), step every open backfill, and
 * count late groups and a JPX calendar that runs out.
 */
const lambdaHandler = async (): Promise<ReconcileReport & MissedRunsReport & SupervisionReport> => {
  const report = await reconcileSchedules(deps);
  const runs = await recordMissedRuns(deps);
  const supervision = await superviseRuns(deps);
  const backfills = await requestBackfillSteps(deps);
  const dependentChecks = await requestLostDependentChecks(deps);
  const freshness = await freshnessPass(deps);
  const counts = countPass(report, runs, supervision, freshness);
  for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
  const repaired = counts.find(([name]) => name === metricNames.schedulesRepaired)?.[1];
  logger.info('schedules reconciled', {
    count: repaired,
    ...report,
    ...runs,
    ...supervision,
    backfills,
    dependentChecks,
    freshness,
  });
  return { ...report, ...runs, ...supervision };
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
