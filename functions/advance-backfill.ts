import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { systemClock } from '#shared/adapters/system-clock.ts';
import { loadConfig } from '#shared/config/load-config.ts';
import { backfillStepsVariables, dispatchPorts, dispatchVariables, sqsBackfillSteps } from '#shared/lambda/aws-deps.ts';
import { BackfillStepMessageSchema } from '#shared/messages/backfill-step-message.ts';
import { log, logger } from '#shared/observability/logger.ts';
import { emfMetrics } from '#shared/observability/metrics.ts';
import { advanceBackfill } from '#shared/use-cases/advance-backfill.ts';
import * as z from '#shared/zod.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const AdvanceBackfillEnvSchema = z.object({ ...dispatchVariables, ...backfillStepsVariables });

const config = loadConfig(AdvanceBackfillEnvSchema);
const deps = {
  ...dispatchPorts(config),
  backfillSteps: sqsBackfillSteps(config),
  clock: systemClock,
  log,
  metrics: emfMetrics,
};
const processor = new BatchProcessor(EventType.SQS);

/** One backfill step per message (`advanceBackfill`); a body that names no backfill is logged and dropped. */
async function recordHandler(record: SQSRecord): Promise<void> {
  const message = BackfillStepMessageSchema.safeParse(safeJson(record.body));
  if (!message.success) {
    log.error('unreadable backfill step dropped', { messageId: record.messageId });
    return;
  }
  logger.appendKeys({ backfillId: message.data.backfillId });
  await advanceBackfill(message.data.backfillId, deps);
}

/** The backfill queue's consumer, one step at a time (its concurrency is 1): a failed step comes back. */
const lambdaHandler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
