import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createSqsClient } from '#shared/adapters/aws-clients.ts';
import { chunk } from '#shared/concurrency.ts';
import type { DataSourceId } from '#shared/domain/data-source.ts';
import { matchesDeadLetterFilter, type QueueAttributes, readDeadLetter } from '#shared/messages/dead-letter-body.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import type {
  DeadLetterEntry,
  DeadLetterFilter,
  DeadLetterStore,
  JobDeadLetter,
  RedriveOptions,
  RedriveResult,
} from '#shared/ports/dead-letter-store.ts';
import type { JobQueue } from '#shared/ports/job-queue.ts';

/** SQS receives, deletes and changes visibility of at most 10 messages per call. */
const entriesPerCall = 10;

/** Options of the SQS dead-letter store. */
export interface SqsDeadLetterStoreOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Long-poll wait of each receive: a short poll samples some SQS servers and may answer empty. @default 1 */
  readonly waitTimeSeconds?: number;
  /** How long `peek` hides the letters it looks at before it makes them visible again. @default 30 */
  readonly peekHoldSeconds?: number;
  /** How long `redrive` hides the letters of its pass; it must outlast the pass. @default 300 */
  readonly redriveHoldSeconds?: number;
}

/**
 * DeadLetterStore on a data source's SQS dead-letter queue. `StartMessageMoveTask` is not used: redrive is receive →
 * send to the job queue → delete, which also runs on the emulator. Letters a pass looks at are hidden (received
 * with a visibility timeout) so that one pass never sees a letter twice; those it does not remove are made visible
 * again (visibility 0) when the pass ends, or by SQS when the hold runs out should the pass die.
 */
export class SqsDeadLetterStore implements DeadLetterStore {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #waitTimeSeconds: number;
  readonly #peekHoldSeconds: number;
  readonly #redriveHoldSeconds: number;

  constructor(options: SqsDeadLetterStoreOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#waitTimeSeconds = options.waitTimeSeconds ?? 1;
    this.#peekHoldSeconds = options.peekHoldSeconds ?? 30;
    this.#redriveHoldSeconds = options.redriveHoldSeconds ?? 300;
  }

  async peek(options: { filter?: DeadLetterFilter; limit: number }): Promise<DeadLetterEntry[]> {
    const pass = newPass();
    const entries: DeadLetterEntry[] = [];
    // Bounds the scan when few letters match: a peek looks at no more than this many.
    const scanLimit = Math.max(options.limit, 1000);
    try {
      while (entries.length < options.limit && pass.seen.size < scanLimit) {
        const { fresh } = await this.#receive(this.#peekHoldSeconds, pass);
        if (fresh.length === 0) break;
        for (const entry of fresh) {
          if (entries.length < options.limit && matchesDeadLetterFilter(entry, options.filter)) entries.push(entry);
        }
      }
    } finally {
      await this.#release(pass);
    }
    return entries;
  }

  async redrive(filter: DeadLetterFilter, target: JobQueue, options: RedriveOptions = {}): Promise<RedriveResult> {
    const decide = options.decide ?? (async () => 'send' as const);
    const limit = options.limit ?? 500;
    const pass = newPass();
    let redriven = 0;
    let discarded = 0;
    let skipped = 0;
    let more = false;
    const failed: { letter: JobDeadLetter; error: string }[] = [];
    try {
      for (;;) {
        if (pass.seen.size >= limit) {
          more = true;
          break;
        }
        const max = Math.min(entriesPerCall, limit - pass.seen.size);
        const { fresh, received } = await this.#receive(this.#redriveHoldSeconds, pass, max);
        if (fresh.length === 0) {
          // Only letters seen before came back (their hold ran out mid-pass): stop, and say that more may wait.
          more = received > 0;
          break;
        }
        const letters: JobDeadLetter[] = [];
        for (const entry of fresh) {
          if (!matchesDeadLetterFilter(entry, filter)) continue;
          if (entry.kind === 'job') letters.push(entry);
          else skipped++;
        }
        const decisions = await Promise.all(letters.map((letter) => decide(letter)));
        const toSend = letters.filter((_, index) => decisions[index] === 'send');
        const toDiscard = letters.filter((_, index) => decisions[index] === 'discard');
        skipped += decisions.filter((decision) => decision === 'keep').length;
        const sent = await this.#send(target, toSend);
        failed.push(...sent.failed);
        // Deleted only after the send: a crash in between leaves the letter to be redriven again (a duplicate).
        await this.#delete([...sent.delivered, ...toDiscard], pass);
        redriven += sent.delivered.length;
        discarded += toDiscard.length;
      }
    } finally {
      await this.#release(pass);
    }
    return { redriven, discarded, skipped, failed, more };
  }

  /** Receives letters, hiding them for `holdSeconds`; returns those this pass had not seen yet. */
  async #receive(
    holdSeconds: number,
    pass: Pass,
    max = entriesPerCall,
  ): Promise<{ fresh: DeadLetterEntry[]; received: number }> {
    const { Messages = [] } = await this.#client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#queueUrl,
        MaxNumberOfMessages: max,
        VisibilityTimeout: holdSeconds,
        WaitTimeSeconds: this.#waitTimeSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    const fresh: DeadLetterEntry[] = [];
    for (const message of Messages) {
      if (message.MessageId === undefined || message.ReceiptHandle === undefined) continue;
      // The newest receipt handle is the one that can change the letter's visibility.
      pass.held.set(message.MessageId, message.ReceiptHandle);
      if (pass.seen.has(message.MessageId)) continue;
      pass.seen.add(message.MessageId);
      fresh.push(readDeadLetter(message.MessageId, message.Body ?? '', queueAttributesOf(message)));
    }
    return { fresh, received: Messages.length };
  }

  async #send(
    target: JobQueue,
    letters: readonly JobDeadLetter[],
  ): Promise<{ delivered: JobDeadLetter[]; failed: { letter: JobDeadLetter; error: string }[] }> {
    if (letters.length === 0) return { delivered: [], failed: [] };
    const messages: JobMessage[] = letters.map((letter) => letter.message);
    const result = await target.send(messages);
    const errors = new Map(result.failed.map((failure) => [failure.message, failure.error]));
    const delivered: JobDeadLetter[] = [];
    const failed: { letter: JobDeadLetter; error: string }[] = [];
    letters.forEach((letter, index) => {
      const error = errors.get(messages[index] as JobMessage);
      if (error === undefined) delivered.push(letter);
      else failed.push({ letter, error });
    });
    return { delivered, failed };
  }

  async #delete(letters: readonly JobDeadLetter[], pass: Pass): Promise<void> {
    const handles = letters.flatMap((letter) => {
      const handle = pass.held.get(letter.id);
      return handle === undefined ? [] : [{ id: letter.id, handle }];
    });
    for (const batch of chunk(handles, entriesPerCall)) {
      const { Failed = [] } = await this.#client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: batch.map(({ handle }, index) => ({ Id: String(index), ReceiptHandle: handle })),
        }),
      );
      const failedIds = new Set(Failed.map((failure) => failure.Id));
      // A letter that could not be deleted stays held and is released: a later redrive sends it again.
      batch.forEach(({ id }, index) => {
        if (!failedIds.has(String(index))) pass.held.delete(id);
      });
    }
  }

  /** Makes every letter still held visible again at once. */
  async #release(pass: Pass): Promise<void> {
    for (const batch of chunk([...pass.held.values()], entriesPerCall)) {
      try {
        await this.#client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.#queueUrl,
            Entries: batch.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle, VisibilityTimeout: 0 })),
          }),
        );
      } catch {
        // Not worth failing the answer over: SQS shows the letters again itself when their hold runs out.
      }
    }
    pass.held.clear();
  }
}

/** The letters one pass has seen, and the receipt handles of those it still hides. */
interface Pass {
  readonly seen: Set<string>;
  readonly held: Map<string, string>;
}

function newPass(): Pass {
  return { seen: new Set(), held: new Map() };
}

/** What the queue says of a letter: how often it was delivered, and when it was first sent. */
function queueAttributesOf(message: Message): QueueAttributes {
  const count = Number(message.Attributes?.ApproximateReceiveCount);
  const sentMs = Number(message.Attributes?.SentTimestamp);
  return {
    ...(Number.isInteger(count) && count > 0 ? { receiveCount: count } : {}),
    ...(Number.isInteger(sentMs) && sentMs > 0 ? { sentAt: new Date(sentMs).toISOString() } : {}),
  };
}

/** A dead-letter store per data source, over one SQS client. */
export function sqsDeadLetterStores(
  queueUrls: Readonly<Record<DataSourceId, string>>,
): Record<DataSourceId, DeadLetterStore> {
  const client = createSqsClient();
  return {
    jquants: new SqsDeadLetterStore({ client, queueUrl: queueUrls.jquants }),
    yahoo: new SqsDeadLetterStore({ client, queueUrl: queueUrls.yahoo }),
  };
}
