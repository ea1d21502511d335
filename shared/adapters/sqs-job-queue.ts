import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { chunk, forEachConcurrently } from '#shared/concurrency.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import type { JobQueue, SendJobsResult } from '#shared/ports/job-queue.ts';

/** SQS takes at most 10 entries per SendMessageBatch. */
const entriesPerBatch = 10;

/** Options of the SQS job queue. */
export interface SqsJobQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Batches in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Sends of one entry before it is reported as failed. @default 4 */
  readonly maxSendAttempts?: number;
  /** Base of the exponential backoff between retries of failed entries. @default 100 */
  readonly retryBaseDelayMs?: number;
}

/**
 * JobQueue on one SQS queue: 10 messages per SendMessageBatch, several batches in flight, and failed entries retried
 * with backoff. Sender faults (`SenderFault`, e.g. an oversized message) are not retried: they will never succeed.
 */
export class SqsJobQueue implements JobQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #concurrency: number;
  readonly #maxSendAttempts: number;
  readonly #retryBaseDelayMs: number;

  constructor(options: SqsJobQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#concurrency = options.concurrency ?? 8;
    this.#maxSendAttempts = options.maxSendAttempts ?? 4;
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? 100;
  }

  async send(messages: readonly JobMessage[], options: { delaySeconds?: number } = {}): Promise<SendJobsResult> {
    const failed: { message: JobMessage; error: string }[] = [];
    let sent = 0;
    await forEachConcurrently(chunk(messages, entriesPerBatch), this.#concurrency, async (batch) => {
      const result = await this.#sendBatch(batch, options.delaySeconds);
      sent += result.sent;
      failed.push(...result.failed);
    });
    return { sent, failed };
  }

  async #sendBatch(batch: readonly JobMessage[], delaySeconds: number | undefined): Promise<SendJobsResult> {
    let pending = batch.map((message, index) => ({ id: String(index), message }));
    const failed: { message: JobMessage; error: string }[] = [];
    for (let attempt = 1; pending.length > 0; attempt++) {
      const entries: SendMessageBatchRequestEntry[] = pending.map(({ id, message }) => ({
        Id: id,
        MessageBody: JSON.stringify(message),
        ...(delaySeconds === undefined ? {} : { DelaySeconds: delaySeconds }),
      }));
      let retry: typeof pending = [];
      try {
        const response = await this.#client.send(
          new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: entries }),
        );
        for (const entry of response.Failed ?? []) {
          const item = pending.find(({ id }) => id === entry.Id);
          if (item === undefined) continue;
          const error = `${entry.Code ?? 'Unknown'}: ${entry.Message ?? 'no message'}`;
          if (entry.SenderFault === true || attempt >= this.#maxSendAttempts)
            failed.push({ message: item.message, error });
          else retry.push(item);
        }
      } catch (error) {
        // The whole request failed (throttling, network): every entry is retried until attempts run out.
        if (attempt >= this.#maxSendAttempts) {
          const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          failed.push(...pending.map(({ message }) => ({ message, error: reason })));
        } else {
          retry = pending;
        }
      }
      pending = retry;
      if (pending.length > 0) await sleep(this.#retryBaseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
    return { sent: batch.length - failed.length, failed };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
