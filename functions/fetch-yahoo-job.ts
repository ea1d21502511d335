import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createYahooDataSource } from '#shared/lambda/create-yahoo-data-source.ts';
import { fetchWorkerLambda } from '#shared/lambda/fetch-worker-lambda.ts';
import { logger } from '#shared/observability/logger.ts';

/** Fetches Yahoo jobs from the Yahoo queue (variables bound by infra's yahoo fetch queue). */
const lambdaHandler = fetchWorkerLambda(
  { queueUrl: 'YAHOO_QUEUE_URL', deadLetterQueueUrl: 'YAHOO_DEAD_LETTER_QUEUE_URL' },
  createYahooDataSource,
);

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
