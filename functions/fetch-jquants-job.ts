import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig, requiredString } from '#shared/config/load-config.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const FetchJquantsJobEnvSchema = z.object({
  JQUANTS_QUEUE_URL: requiredString(),
  JQUANTS_DEAD_LETTER_QUEUE_URL: requiredString(),
  MARKET_DATA_TABLE_NAME: requiredString(),
  JOB_RUNS_TABLE_NAME: requiredString(),
  DATA_SOURCES_TABLE_NAME: requiredString(),
  JQUANTS_API_KEY_SECRET_ARN: requiredString(),
});

const config = loadConfig(FetchJquantsJobEnvSchema);
const logger = new Logger();

// Placeholder: every message is reported unprocessed, so SQS keeps it (and dead-letters it in the end) — never lost.
const lambdaHandler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  logger.warn('jquants fetch not implemented', {
    recordCount: event.Records.length,
    queueUrl: config.JQUANTS_QUEUE_URL,
  });
  return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
};

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
