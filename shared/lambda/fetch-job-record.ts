import type { Context, SQSRecord } from 'aws-lambda';
import { JobMessageSchema } from '#shared/messages/run-job-message.ts';
import type { MessageVisibility } from '#shared/ports/message-visibility.ts';
import { type FetchWorkerDeps, processJobMessage, RetryLaterError } from '#shared/use-cases/process-job-message.ts';

/** The deadline of a record handled without a Lambda context (a test calling the handler directly). */
const deadlineWithoutContextMs = 15 * 60_000;

/**
 * The fetch worker's work for one SQS record. A body that is no job message goes to the dead-letter queue at once
 * (retrying cannot fix it). Jobs to retry make the record visible again after their backoff and fail it, so only it
 * — never its neighbours — is delivered again (partial batch response). The invocation's deadline bounds the
 * attempt: its jobs are held until then, and it stops early enough to record what happened.
 */
export function fetchJobRecord(
  deps: FetchWorkerDeps & { readonly visibility: MessageVisibility },
): (record: SQSRecord, context?: Context) => Promise<void> {
  return async (record, context) => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const message = JobMessageSchema.safeParse(body);
    if (!message.success) {
      const error = {
        code: 'unreadable_message',
        message: `not a job message: ${message.error.message.slice(0, 500)}`,
      };
      await deps.deadLetters.sendUnreadable(record.body, error, deps.clock.now().toISOString());
      deps.log.error('unreadable job message dead-lettered', { messageId: record.messageId });
      return;
    }
    try {
      const remainingMs = context?.getRemainingTimeInMillis() ?? deadlineWithoutContextMs;
      await processJobMessage(message.data, deps, { deadlineMs: deps.clock.now().getTime() + remainingMs });
    } catch (error) {
      if (error instanceof RetryLaterError) await deps.visibility.defer(record.receiptHandle, error.delaySeconds);
      throw error;
    }
  };
}
