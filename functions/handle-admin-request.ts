import { fileURLToPath } from 'node:url';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { createSqsClient } from '#shared/adapters/aws-clients.ts';
import { consoleAssetDirectory } from '#shared/adapters/console-asset-directory.ts';
import { DynamoDbBackupRestorer } from '#shared/adapters/dynamodb-backup-restorer.ts';
import { DynamoDbRateLimiter } from '#shared/adapters/dynamodb-rate-limiter.ts';
import { SqsDeadLetterDepths } from '#shared/adapters/sqs-dead-letter-depths.ts';
import { sqsDeadLetterStores } from '#shared/adapters/sqs-dead-letter-store.ts';
import { systemClock } from '#shared/adapters/system-clock.ts';
import { createAdminApi } from '#shared/admin-api/admin-api.ts';
import { functionUrlResultOf, requestOfFunctionUrlEvent } from '#shared/admin-api/function-url.ts';
import { loadConfig, requiredString } from '#shared/config/load-config.ts';
import { dispatchPorts, dispatchVariables, sqsStepRequests, stepRequestsVariables } from '#shared/lambda/aws-deps.ts';
import { createJquantsDataSource } from '#shared/lambda/create-jquants-data-source.ts';
import { createYahooCredentialsCheck } from '#shared/lambda/create-yahoo-credentials-check.ts';
import { log, logger } from '#shared/observability/logger.ts';
import { emfMetrics } from '#shared/observability/metrics.ts';
import type { DataSource } from '#shared/ports/data-source.ts';
import { dataSourceLimitsFrom } from '#shared/use-cases/data-source-limits.ts';
import * as z from '#shared/zod.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const HandleAdminRequestEnvSchema = z.object({
  ...dispatchVariables,
  ...stepRequestsVariables,
  JQUANTS_DEAD_LETTER_QUEUE_URL: requiredString(),
  YAHOO_DEAD_LETTER_QUEUE_URL: requiredString(),
  BACKFILL_DEAD_LETTER_QUEUE_URL: requiredString(),
  SCHEDULE_DEAD_LETTER_QUEUE_URL: requiredString(),
  /** The built console (`console/build.ts`); deployed, it lies beside the bundle. */
  CONSOLE_ASSETS_DIR: z.optional(requiredString()),
});

const config = loadConfig(HandleAdminRequestEnvSchema);
// The admin API only checks Yahoo, which needs no library: yahoo-finance2 stays in fetch-yahoo-job's bundle.
const yahoo: DataSource = {
  ...createYahooCredentialsCheck(),
  fetchPages: () => {
    throw new Error('the admin function does not fetch Yahoo data; fetch-yahoo-job does');
  },
};
// Run-now dispatches a manual run itself, through the dispatcher's use case.
const stores = dispatchPorts(config);
const api = createAdminApi({
  ...stores,
  steps: sqsStepRequests(config),
  restorer: new DynamoDbBackupRestorer({
    client: stores.client,
    jobGroupsTableName: config.JOB_GROUPS_TABLE_NAME,
    dataSourcesTableName: config.DATA_SOURCES_TABLE_NAME,
  }),
  deadLetterStores: sqsDeadLetterStores({
    jquants: config.JQUANTS_DEAD_LETTER_QUEUE_URL,
    yahoo: config.YAHOO_DEAD_LETTER_QUEUE_URL,
  }),
  // GET /alerts counts every dead-letter queue.
  deadLetterDepths: new SqsDeadLetterDepths({
    client: createSqsClient(),
    queueUrls: {
      'jquants jobs': config.JQUANTS_DEAD_LETTER_QUEUE_URL,
      'yahoo jobs': config.YAHOO_DEAD_LETTER_QUEUE_URL,
      'backfill steps': config.BACKFILL_DEAD_LETTER_QUEUE_URL,
      'schedule ticks': config.SCHEDULE_DEAD_LETTER_QUEUE_URL,
    },
  }),
  dataSources: async (id) => (id === 'jquants' ? createJquantsDataSource() : yahoo),
  // The workers' own buckets: a credentials check takes a request slot like a job, and GET /data-sources shows a
  // source paused after 429s.
  rateLimiter: new DynamoDbRateLimiter({
    client: stores.client,
    tableName: config.DATA_SOURCES_TABLE_NAME,
    clock: systemClock,
    limitsOf: dataSourceLimitsFrom(stores.settingsStore),
  }),
  clock: systemClock,
  log,
  metrics: emfMetrics,
  // Read from disk on the first GET / or asset request only: API requests never load the page.
  consoleAssets: consoleAssetDirectory(
    config.CONSOLE_ASSETS_DIR ?? fileURLToPath(new URL('console/', import.meta.url)),
  ),
});

const lambdaHandler = async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
  const response = await api.handle(requestOfFunctionUrlEvent(event));
  logger.info('admin request handled', {
    method: event.requestContext.http.method,
    path: event.rawPath,
    status: response.statusCode,
  });
  return functionUrlResultOf(response);
};

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
