import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig, requiredString } from '#shared/config/load-config.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const FetchYahooJobEnvSchema = z.object({
  YAHOO_QUEUE_URL: requiredString(),
  YAHOO_DEAD_LETTER_QUEUE_URL: requiredString(),
  MARKET_DATA_TABLE_NAME: requiredString(),
  JOB_RUNS_TABLE_NAME: requiredString(),
  DATA_SOURCES_TABLE_NAME: requiredString(),
});

const config = loadConfig(FetchYahooJobEnvSchema);
const logger = new Logger();

// Placeholder: every message is reported unprocessed, so SQS keeps it (and dead-letters it in the end) — never lost.
const lambdaHandler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  logger.warn('yahoo fetch not implemented', { recordCount: event.Records.length, queueUrl: config.YAHOO_QUEUE_URL });
  return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
};

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
