import type { JobError } from '#shared/domain/run.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';

/**
 * A job that cannot succeed: its message, as it would be redriven (a single job's, or a date job's date-wide one),
 * and why it failed.
 */
export interface DeadLetter {
  readonly message: JobMessage;
  readonly error: JobError;
  readonly attemptsMade: number;
  readonly failedAt: string;
}

/**
 * DeadLetterQueue: where a data source's failed jobs wait to be inspected and redriven.
 * Guarantees: `send` resolves only once the letter is stored; a letter is never dropped silently.
 */
export interface DeadLetterQueue {
  send(letter: DeadLetter): Promise<void>;
  /** Keeps a message that is not a job message at all (no job to record it on), with why it was refused. */
  sendUnreadable(body: string, error: JobError, at: string): Promise<void>;
}
