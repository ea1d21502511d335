import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createDocumentClient, createSqsClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbDataSourceSettingsStore } from '#shared/adapters/dynamodb-data-source-settings-store.ts';
import { DynamoDbMarketDataStore } from '#shared/adapters/dynamodb-market-data-store.ts';
import { DynamoDbRateLimiter } from '#shared/adapters/dynamodb-rate-limiter.ts';
import { DynamoDbRunLedger } from '#shared/adapters/dynamodb-run-ledger.ts';
import { SqsDeadLetterQueue } from '#shared/adapters/sqs-dead-letter-queue.ts';
import { SqsJobQueue } from '#shared/adapters/sqs-job-queue.ts';
import { SqsMessageVisibility } from '#shared/adapters/sqs-message-visibility.ts';
import { SqsStepRequests } from '#shared/adapters/sqs-step-requests.ts';
import { systemClock } from '#shared/adapters/system-clock.ts';
import { loadConfig, requiredString } from '#shared/config/load-config.ts';
import { stepRequestsVariables } from '#shared/lambda/aws-deps.ts';
import { fetchJobRecord } from '#shared/lambda/fetch-job-record.ts';
import { log } from '#shared/observability/logger.ts';
import { emfMetrics } from '#shared/observability/metrics.ts';
import type { DataSource } from '#shared/ports/data-source.ts';
import { dataSourceLimitsFrom } from '#shared/use-cases/data-source-limits.ts';
import * as z from '#shared/zod.ts';

/**
 * Pacing knobs, with the production values as defaults. The sandbox's fault tests shorten them so a 429 pause or a
 * retry backoff takes seconds, not minutes; deployed functions never set them.
 */
const WorkerPacingEnvSchema = z.object({
  /** Shortest pause after a 429 (J-Quants sends no Retry-After and wants at least a minute). */
  RATE_LIMIT_MIN_PAUSE_MS: z._default(z.coerce.number().check(z.int(), z.gte(0)), 60_000),
  /** First retry's backoff. */
  RETRY_BASE_DELAY_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(1)), 10),
});

/** The queue variables of one data source's worker, as infra/resources.ts names them. */
export interface FetchWorkerQueueVariables {
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/**
 * The body of a fetch worker Lambda, the same for every data source: its config (parsed at cold start), its
 * adapters, and a partial-batch SQS handler over `fetchJobRecord`. Each `functions/fetch-*-job.ts` entry passes
 * its queue variables and data source, so it bundles only that data source's client.
 */
export function fetchWorkerLambda(
  variables: FetchWorkerQueueVariables,
  createDataSource: () => DataSource,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const config = loadConfig(
    z.object({
      [variables.queueUrl]: requiredString(),
      [variables.deadLetterQueueUrl]: requiredString(),
      MARKET_DATA_TABLE_NAME: requiredString(),
      JOB_RUNS_TABLE_NAME: requiredString(),
      DATA_SOURCES_TABLE_NAME: requiredString(),
      ...stepRequestsVariables,
    }),
  ) as Readonly<Record<string, string>>;
  const pacing = loadConfig(WorkerPacingEnvSchema);
  const client = createDocumentClient();
  const sqs = createSqsClient();
  const settingsStore = new DynamoDbDataSourceSettingsStore({
    client,
    tableName: config.DATA_SOURCES_TABLE_NAME ?? '',
  });
  const recordHandler = fetchJobRecord({
    runLedger: new DynamoDbRunLedger({ client, tableName: config.JOB_RUNS_TABLE_NAME ?? '' }),
    marketData: new DynamoDbMarketDataStore({ client, tableName: config.MARKET_DATA_TABLE_NAME ?? '' }),
    settingsStore,
    rateLimiter: new DynamoDbRateLimiter({
      client,
      tableName: config.DATA_SOURCES_TABLE_NAME ?? '',
      clock: systemClock,
      limitsOf: dataSourceLimitsFrom(settingsStore),
      minimumPauseMs: pacing.RATE_LIMIT_MIN_PAUSE_MS,
    }),
    requeue: new SqsJobQueue({ client: sqs, queueUrl: config[variables.queueUrl] ?? '' }),
    dataSource: createDataSource(),
    deadLetters: new SqsDeadLetterQueue({ client: sqs, queueUrl: config[variables.deadLetterQueueUrl] ?? '' }),
    visibility: new SqsMessageVisibility({ client: sqs, queueUrl: config[variables.queueUrl] ?? '' }),
    // A backfill's run that finishes here asks for the backfill's next step.
    steps: new SqsStepRequests({ client: sqs, queueUrl: config.BACKFILL_QUEUE_URL ?? '' }),
    clock: systemClock,
    log,
    metrics: emfMetrics,
    retryBaseDelaySeconds: pacing.RETRY_BASE_DELAY_SECONDS,
  });
  const processor = new BatchProcessor(EventType.SQS);
  // One failing message is reported alone (ReportBatchItemFailures); the others are deleted.
  return (event, context) =>
    processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
}
