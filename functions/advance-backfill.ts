import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig } from '#shared/config/load-config.ts';
import { dispatchDeps, dispatchVariables, stepRequestsVariables } from '#shared/lambda/aws-deps.ts';
import { StepMessageSchema } from '#shared/messages/step-message.ts';
import { log, logger } from '#shared/observability/logger.ts';
import { advanceBackfill } from '#shared/use-cases/advance-backfill.ts';
import { checkDependents } from '#shared/use-cases/check-dependents.ts';
import * as z from '#shared/zod.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const AdvanceBackfillEnvSchema = z.object({ ...dispatchVariables, ...stepRequestsVariables });

const config = loadConfig(AdvanceBackfillEnvSchema);
const deps = dispatchDeps(config);
const processor = new BatchProcessor(EventType.SQS);

/**
 * One step per message: a backfill's next step (`advanceBackfill`), or the judging of a group's dependents
 * (`checkDependents`); a body that is neither is logged and dropped.
 */
async function recordHandler(record: SQSRecord): Promise<void> {
  const message = StepMessageSchema.safeParse(safeJson(record.body));
  if (!message.success) {
    log.error('unreadable step dropped', { messageId: record.messageId });
    return;
  }
  const step = message.data;
  if (step.kind === 'dependents') {
    logger.appendKeys({ groupId: step.groupId, businessDate: step.businessDate });
    await checkDependents(step, deps);
    return;
  }
  logger.appendKeys({ backfillId: step.backfillId });
  await advanceBackfill(step.backfillId, deps);
}

/** The steps queue's consumer, one step at a time (its concurrency is 1): a failed step comes back. */
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
