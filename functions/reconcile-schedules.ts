import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createDocumentClient, createSchedulerClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbJobGroupStore } from '#shared/adapters/dynamodb-job-group-store.ts';
import { DynamoDbRunLedger } from '#shared/adapters/dynamodb-run-ledger.ts';
import { EventBridgeScheduleStore } from '#shared/adapters/event-bridge-schedule-store.ts';
import { systemClock } from '#shared/adapters/system-clock.ts';
import { loadConfig, requiredString } from '#shared/config/load-config.ts';
import { log, logger } from '#shared/observability/logger.ts';
import { metricNames } from '#shared/observability/metric-names.ts';
import { MetricUnit, metrics } from '#shared/observability/metrics.ts';
import { type ReconcileReport, reconcileSchedules } from '#shared/use-cases/reconcile-schedules.ts';
import { type MissedRunsReport, recordMissedRuns } from '#shared/use-cases/record-missed-runs.ts';
import * as z from '#shared/zod.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const ReconcileSchedulesEnvSchema = z.object({
  JOB_GROUPS_TABLE_NAME: requiredString(),
  JOB_RUNS_TABLE_NAME: requiredString(),
  SCHEDULE_GROUP_NAME: requiredString(),
  SCHEDULER_ROLE_ARN: requiredString(),
  DISPATCHER_FUNCTION_ARN: requiredString(),
});

const config = loadConfig(ReconcileSchedulesEnvSchema);
const client = createDocumentClient();
const deps = {
  groupStore: new DynamoDbJobGroupStore({ client, tableName: config.JOB_GROUPS_TABLE_NAME }),
  runLedger: new DynamoDbRunLedger({ client, tableName: config.JOB_RUNS_TABLE_NAME }),
  scheduleStore: new EventBridgeScheduleStore({
    client: createSchedulerClient(),
    groupName: config.SCHEDULE_GROUP_NAME,
    targetArn: config.DISPATCHER_FUNCTION_ARN,
    roleArn: config.SCHEDULER_ROLE_ARN,
  }),
  clock: systemClock,
  log,
};

/** Every 5 minutes: repair schedule drift, resume expired pauses, and record missed and skipped runs. */
const lambdaHandler = async (): Promise<ReconcileReport & MissedRunsReport> => {
  const report = await reconcileSchedules(deps);
  const runs = await recordMissedRuns(deps);
  metrics.addMetric(metricNames.runsMissed, MetricUnit.Count, runs.missed.length);
  const repaired = report.created.length + report.updated.length + report.deleted.length;
  metrics.addMetric('SchedulesRepaired', MetricUnit.Count, repaired);
  metrics.addMetric('GroupsResumed', MetricUnit.Count, report.resumed.length);
  metrics.addMetric('ScheduleRepairsFailed', MetricUnit.Count, report.failed.length);
  logger.info('schedules reconciled', { count: repaired, ...report, ...runs });
  return { ...report, ...runs };
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
