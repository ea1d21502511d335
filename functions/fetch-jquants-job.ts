import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createJquantsDataSource } from '#shared/lambda/create-jquants-data-source.ts';
import { fetchWorkerLambda } from '#shared/lambda/fetch-worker-lambda.ts';
import { logger } from '#shared/observability/logger.ts';

/** Fetches J-Quants jobs from the J-Quants queue (variables bound by infra's jquants fetch queue). */
const lambdaHandler = fetchWorkerLambda(
  { queueUrl: 'JQUANTS_QUEUE_URL', deadLetterQueueUrl: 'JQUANTS_DEAD_LETTER_QUEUE_URL' },
  createJquantsDataSource,
);

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
