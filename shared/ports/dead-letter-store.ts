import type { JobError } from '#shared/domain/run.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import type { JobQueue } from '#shared/ports/job-queue.ts';

/** A dead letter that holds a job message: it can be sent back to the data source's job queue. */
export interface JobDeadLetter {
  readonly kind: 'job';
  /** The letter's id in its queue (the SQS message id). */
  readonly id: string;
  /**
   * Who put it there: the fetch worker (a job that failed, one job per letter), or the job queue's own redrive
   * policy (a message delivered `maxReceiveCount` times without being settled, e.g. a worker that kept crashing).
   */
  readonly movedBy: 'worker' | 'queue';
  /** The message to send back, exactly as it will be redriven. */
  readonly message: JobMessage;
  readonly error: JobError;
  /** Attempts the job had made; unknown for a message the queue moved. */
  readonly attemptsMade?: number;
  /** When the worker dead-lettered the job; unknown for a message the queue moved. */
  readonly failedAt?: string;
  /**
   * When the job message of a letter the queue moved was first sent (the queue keeps it when it moves the message):
   * a newer message of the same job makes the letter stale.
   */
  readonly sentAt?: string;
}

/** A dead letter that is no job message at all: kept for inspection, never redriven. */
export interface UnreadableDeadLetter {
  readonly kind: 'unreadable';
  readonly id: string;
  /** The body as received (cut to a readable length). */
  readonly body: string;
  readonly error: JobError;
  readonly failedAt?: string;
}

/** A letter of a dead-letter queue as read back. */
export type DeadLetterEntry = JobDeadLetter | UnreadableDeadLetter;

/** Which letters an operation is about; a letter matches when it has every given field (unreadable ones: none). */
export interface DeadLetterFilter {
  readonly groupId?: string;
  readonly runId?: string;
}

/**
 * What to do with one matching letter during a redrive: `send` it back to the job queue (then remove it), `discard`
 * it (remove it unsent: it is stale, e.g. its job has since succeeded) or `keep` it where it is.
 */
export type RedriveDecision = 'send' | 'discard' | 'keep';

/** How a redrive went. */
export interface RedriveResult {
  /** Letters sent to the job queue and removed. */
  readonly redriven: number;
  /** Letters removed unsent (`discard`). */
  readonly discarded: number;
  /** Matching letters left in the queue: unreadable ones (when no filter is given) and `keep` decisions. */
  readonly skipped: number;
  /** Letters whose send failed: they stay in the queue. */
  readonly failed: readonly { readonly letter: JobDeadLetter; readonly error: string }[];
  /** The pass stopped at its limit: more letters may be waiting. */
  readonly more: boolean;
}

/** Options of a redrive. */
export interface RedriveOptions {
  /** Decides each matching letter before it is sent (e.g. reopens its job). @default every letter is sent */
  readonly decide?: (letter: JobDeadLetter) => Promise<RedriveDecision>;
  /** Letters looked at in one pass, matching or not. @default 500 */
  readonly limit?: number;
}

/**
 * DeadLetterStore: reading and redriving a data source's dead-letter queue.
 *
 * Guarantees:
 * - `peek` removes nothing: every letter it returns, and every letter it passes over, is available again when it
 *   resolves. A letter being looked at by a concurrent peek or redrive may be missing from its answer.
 * - `redrive` sends a letter's message to the job queue before it removes the letter, so a crash in between can
 *   only deliver a job twice, never lose it. Letters that do not match, unreadable letters and kept letters are
 *   made available again when the pass ends; a letter whose send failed stays too.
 */
export interface DeadLetterStore {
  /** Up to `limit` letters matching the filter, without removing them. */
  peek(options: { filter?: DeadLetterFilter; limit: number }): Promise<DeadLetterEntry[]>;
  /** Sends the matching letters' messages back to `target` and removes them, as `options.decide` says. */
  redrive(filter: DeadLetterFilter, target: JobQueue, options?: RedriveOptions): Promise<RedriveResult>;
}
