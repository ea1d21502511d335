import type { JobError } from '#shared/domain/run.ts';
import {
  JobLetterBodySchema,
  matchesDeadLetterFilter,
  readDeadLetter,
  UnreadableLetterBodySchema,
} from '#shared/messages/dead-letter-body.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import type { DeadLetter, DeadLetterQueue } from '#shared/ports/dead-letter-queue.ts';
import type {
  DeadLetterEntry,
  DeadLetterFilter,
  DeadLetterStore,
  JobDeadLetter,
  RedriveOptions,
  RedriveResult,
} from '#shared/ports/dead-letter-store.ts';
import type { JobQueue } from '#shared/ports/job-queue.ts';

/**
 * A dead-letter queue in memory, both ends of it: the worker's `DeadLetterQueue` and the admin API's
 * `DeadLetterStore`. Bodies are stored as the SQS adapters store them and read back with the same code.
 */
export class InMemoryDeadLetterQueue implements DeadLetterQueue, DeadLetterStore {
  readonly #stored: { id: string; body: string; sentAt?: string }[] = [];
  #nextId = 0;

  /** The job letters the worker wrote, oldest first. */
  get letters(): DeadLetter[] {
    return this.#stored.flatMap(({ body }) => {
      const letter = JobLetterBodySchema.safeParse(parseJson(body));
      return letter.success ? [letter.data] : [];
    });
  }

  /** The unreadable bodies the worker kept, with why. */
  get unreadable(): { body: string; error: JobError }[] {
    return this.#stored.flatMap(({ body }) => {
      const letter = UnreadableLetterBodySchema.safeParse(parseJson(body));
      return letter.success ? [{ body: letter.data.unreadable, error: letter.data.error }] : [];
    });
  }

  /** How many letters wait, of any kind. */
  get size(): number {
    return this.#stored.length;
  }

  async send(letter: DeadLetter): Promise<void> {
    this.#store(JSON.stringify(letter));
  }

  async sendUnreadable(body: string, error: JobError, at: string): Promise<void> {
    this.#store(JSON.stringify({ unreadable: body, error, failedAt: at }));
  }

  /** Stores a job message as the job queue's own redrive policy moves it: unchanged, first sent at `sentAt`. */
  moveFromJobQueue(body: string, sentAt: string = new Date().toISOString()): void {
    this.#store(body, sentAt);
  }

  async peek(options: { filter?: DeadLetterFilter; limit: number }): Promise<DeadLetterEntry[]> {
    return this.#entries()
      .filter((entry) => matchesDeadLetterFilter(entry, options.filter))
      .slice(0, options.limit);
  }

  async redrive(filter: DeadLetterFilter, target: JobQueue, options: RedriveOptions = {}): Promise<RedriveResult> {
    const decide = options.decide ?? (async () => 'send' as const);
    const limit = options.limit ?? 500;
    const looked = this.#entries();
    const pass = looked.slice(0, limit);
    let redriven = 0;
    let discarded = 0;
    let skipped = 0;
    const failed: { letter: JobDeadLetter; error: string }[] = [];
    const removed = new Set<string>();
    for (let start = 0; start < pass.length; start += 10) {
      const letters: JobDeadLetter[] = [];
      for (const entry of pass.slice(start, start + 10)) {
        if (!matchesDeadLetterFilter(entry, filter)) continue;
        if (entry.kind === 'job') letters.push(entry);
        else skipped++;
      }
      const decisions = await Promise.all(letters.map((letter) => decide(letter)));
      const toSend = letters.filter((_, index) => decisions[index] === 'send');
      skipped += decisions.filter((decision) => decision === 'keep').length;
      const messages: JobMessage[] = toSend.map((letter) => letter.message);
      const result = await target.send(messages);
      const errors = new Map(result.failed.map((failure) => [failure.message, failure.error]));
      toSend.forEach((letter, index) => {
        const error = errors.get(messages[index] as JobMessage);
        if (error === undefined) {
          removed.add(letter.id);
          redriven++;
        } else {
          failed.push({ letter, error });
        }
      });
      letters.forEach((letter, index) => {
        if (decisions[index] !== 'discard') return;
        removed.add(letter.id);
        discarded++;
      });
    }
    const kept = this.#stored.filter(({ id }) => !removed.has(id));
    this.#stored.splice(0, this.#stored.length, ...kept);
    return { redriven, discarded, skipped, failed, more: looked.length > limit };
  }

  #store(body: string, sentAt?: string): void {
    this.#stored.push({ id: `letter-${++this.#nextId}`, body, ...(sentAt === undefined ? {} : { sentAt }) });
  }

  #entries(): DeadLetterEntry[] {
    return this.#stored.map(({ id, body, sentAt }) => readDeadLetter(id, body, sentAt === undefined ? {} : { sentAt }));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
