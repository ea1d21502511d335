import { JobErrorSchema } from '#shared/domain/run.ts';
import { JobMessageSchema } from '#shared/messages/run-job-message.ts';
import type { DeadLetterEntry, DeadLetterFilter } from '#shared/ports/dead-letter-store.ts';
import * as z from '#shared/zod.ts';

/**
 * The bodies a dead-letter queue holds. The fetch worker writes a letter per failed job (`DeadLetterQueue.send`) or
 * an unreadable body with its reason (`sendUnreadable`); the job queue's own redrive policy moves a job message
 * there unchanged. Letters outlive the code that wrote them, so reading is lenient about extra fields.
 */

/** A failed job, as the worker writes it: one job's message, or a date job's date-wide one. */
export const JobLetterBodySchema = z.object({
  message: JobMessageSchema,
  error: JobErrorSchema,
  attemptsMade: z.int().check(z.gte(0)),
  failedAt: z.string().check(z.minLength(1)),
});
export type JobLetterBody = z.infer<typeof JobLetterBodySchema>;

/** A message that was no job message, as the worker writes it. */
export const UnreadableLetterBodySchema = z.object({
  unreadable: z.string(),
  error: JobErrorSchema,
  failedAt: z.string().check(z.minLength(1)),
});
export type UnreadableLetterBody = z.infer<typeof UnreadableLetterBodySchema>;

/** Unreadable bodies are shown cut to this many characters. */
const maxShownBodyLength = 2000;

/** What the queue knows of a letter, when it says. */
export interface QueueAttributes {
  /** How many times the job queue had delivered a message it moved (SQS `ApproximateReceiveCount`). */
  readonly receiveCount?: number;
  /** When the message was first sent (SQS `SentTimestamp`, kept when the queue moves it). */
  readonly sentAt?: string;
}

/** Reads one stored body. */
export function readDeadLetter(id: string, body: string, queue: QueueAttributes = {}): DeadLetterEntry {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const letter = JobLetterBodySchema.safeParse(json);
  if (letter.success) {
    const { message, error, attemptsMade, failedAt } = letter.data;
    return { kind: 'job', id, movedBy: 'worker', message, error, attemptsMade, failedAt };
  }
  const moved = JobMessageSchema.safeParse(json);
  if (moved.success) {
    const deliveries = queue.receiveCount === undefined ? 'many' : String(queue.receiveCount);
    return {
      kind: 'job',
      id,
      movedBy: 'queue',
      message: moved.data,
      ...(queue.sentAt === undefined ? {} : { sentAt: queue.sentAt }),
      error: {
        code: 'receive_limit_exceeded',
        message: `the job queue moved the message here after ${deliveries} deliveries that never settled it`,
      },
    };
  }
  const unreadable = UnreadableLetterBodySchema.safeParse(json);
  if (unreadable.success) {
    const { unreadable: original, error, failedAt } = unreadable.data;
    return { kind: 'unreadable', id, body: original.slice(0, maxShownBodyLength), error, failedAt };
  }
  return {
    kind: 'unreadable',
    id,
    body: body.slice(0, maxShownBodyLength),
    error: { code: 'unreadable_message', message: 'neither a dead letter nor a job message' },
  };
}

/** True when the letter has every field the filter gives (an unreadable letter matches only an empty filter). */
export function matchesDeadLetterFilter(entry: DeadLetterEntry, filter: DeadLetterFilter = {}): boolean {
  if (entry.kind === 'unreadable') return filter.groupId === undefined && filter.runId === undefined;
  return (
    (filter.groupId === undefined || entry.message.groupId === filter.groupId) &&
    (filter.runId === undefined || entry.message.runId === filter.runId)
  );
}
