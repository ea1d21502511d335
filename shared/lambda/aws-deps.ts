import { createDocumentClient, createSqsClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbBackfillStore } from '#shared/adapters/dynamodb-backfill-store.ts';
import { DynamoDbDataSourceSettingsStore } from '#shared/adapters/dynamodb-data-source-settings-store.ts';
import { DynamoDbJobGroupStore } from '#shared/adapters/dynamodb-job-group-store.ts';
import { DynamoDbMarketDataStore } from '#shared/adapters/dynamodb-market-data-store.ts';
import { DynamoDbRunLedger } from '#shared/adapters/dynamodb-run-ledger.ts';
import { SqsJobQueue } from '#shared/adapters/sqs-job-queue.ts';
import { SqsStepRequests } from '#shared/adapters/sqs-step-requests.ts';
import { StoredListedCodes, StoredTradingCalendar } from '#shared/adapters/stored-reference-data.ts';
import { systemClock } from '#shared/adapters/system-clock.ts';
import { requiredString } from '#shared/config/load-config.ts';
import type { DataSourceId } from '#shared/domain/data-source.ts';
import { log } from '#shared/observability/logger.ts';
import { emfMetrics } from '#shared/observability/metrics.ts';
import type { JobQueue } from '#shared/ports/job-queue.ts';
import type { StepRequests } from '#shared/ports/step-requests.ts';

/**
 * The DynamoDB- and SQS-backed ports the functions share, built once per cold start from the table names and queue
 * URLs infra binds. Each function takes only what it uses.
 */
export function dynamoDbStores(tables: {
  jobGroups: string;
  jobRuns: string;
  marketData: string;
  dataSources: string;
}) {
  const client = createDocumentClient();
  const marketData = new DynamoDbMarketDataStore({ client, tableName: tables.marketData });
  return {
    client,
    groupStore: new DynamoDbJobGroupStore({ client, tableName: tables.jobGroups }),
    runLedger: new DynamoDbRunLedger({ client, tableName: tables.jobRuns }),
    backfillStore: new DynamoDbBackfillStore({ client, tableName: tables.jobRuns }),
    settingsStore: new DynamoDbDataSourceSettingsStore({ client, tableName: tables.dataSources }),
    marketData,
    listedCodes: new StoredListedCodes(marketData),
    tradingCalendar: new StoredTradingCalendar(marketData),
  };
}

/** A job queue per data source. */
export function sqsJobQueues(queueUrls: Readonly<Record<DataSourceId, string>>): Record<DataSourceId, JobQueue> {
  const client = createSqsClient();
  return {
    jquants: new SqsJobQueue({ client, queueUrl: queueUrls.jquants }),
    yahoo: new SqsJobQueue({ client, queueUrl: queueUrls.yahoo }),
  };
}

/**
 * The variables of a function that dispatches runs (the dispatcher, the reconciler's catch-up, the admin API's
 * run-now): the four tables and the job queues, as infra binds them.
 */
export const dispatchVariables = {
  JOB_GROUPS_TABLE_NAME: requiredString(),
  JOB_RUNS_TABLE_NAME: requiredString(),
  MARKET_DATA_TABLE_NAME: requiredString(),
  DATA_SOURCES_TABLE_NAME: requiredString(),
  JQUANTS_QUEUE_URL: requiredString(),
  YAHOO_QUEUE_URL: requiredString(),
};

/** The stores and job queues behind `dispatchRun` (and more, for the admin API), built from those variables. */
export function dispatchPorts(config: Readonly<Record<keyof typeof dispatchVariables, string>>) {
  return {
    ...dynamoDbStores({
      jobGroups: config.JOB_GROUPS_TABLE_NAME,
      jobRuns: config.JOB_RUNS_TABLE_NAME,
      marketData: config.MARKET_DATA_TABLE_NAME,
      dataSources: config.DATA_SOURCES_TABLE_NAME,
    }),
    queues: sqsJobQueues({ jquants: config.JQUANTS_QUEUE_URL, yahoo: config.YAHOO_QUEUE_URL }),
  };
}

/** The variable of a function that asks for steps: a backfill's, or the judging of a settled run's dependents. */
export const stepRequestsVariables = {
  BACKFILL_QUEUE_URL: requiredString(),
};

/** Steps (a backfill's, a settled run's dependents) on their queue. */
export function sqsStepRequests(config: Readonly<Record<keyof typeof stepRequestsVariables, string>>): StepRequests {
  return new SqsStepRequests({ client: createSqsClient(), queueUrl: config.BACKFILL_QUEUE_URL });
}

/**
 * Everything a function that dispatches runs works through (the dispatcher's ports, the steps queue that a settled
 * run asks for its dependents, the clock, the log and the metrics): the dispatcher's and the steps consumer's deps.
 */
export function dispatchDeps(
  config: Readonly<Record<keyof typeof dispatchVariables | keyof typeof stepRequestsVariables, string>>,
) {
  return { ...dispatchPorts(config), steps: sqsStepRequests(config), clock: systemClock, log, metrics: emfMetrics };
}
