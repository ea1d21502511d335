import type { JobMessage } from '#shared/messages/run-job-message.ts';

/** What a send could not deliver after its retries. */
export interface SendJobsResult {
  readonly sent: number;
  readonly failed: readonly { readonly message: JobMessage; readonly error: string }[];
}

/**
 * JobQueue: the work queue of one data source.
 *
 * Guarantees:
 * - `send` delivers every message it does not return in `failed`; it batches (10 per request on SQS), keeps
 *   several batches in flight and retries entries that failed transiently before giving up on them.
 * - Delivery is at least once: consumers must be idempotent.
 */
export interface JobQueue {
  /** Enqueues the messages, optionally invisible for `delaySeconds` (≤ 900). */
  send(messages: readonly JobMessage[], options?: { delaySeconds?: number }): Promise<SendJobsResult>;
}
