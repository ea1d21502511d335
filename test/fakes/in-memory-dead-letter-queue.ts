import type { JobError } from '#shared/domain/run.ts';
import type { DeadLetter, DeadLetterQueue } from '#shared/ports/dead-letter-queue.ts';

/** DeadLetterQueue in memory: letters wait in `letters`. */
export class InMemoryDeadLetterQueue implements DeadLetterQueue {
  readonly letters: DeadLetter[] = [];
  readonly unreadable: { body: string; error: JobError }[] = [];

  async send(letter: DeadLetter): Promise<void> {
    this.letters.push(structuredClone(letter));
  }

  async sendUnreadable(body: string, error: JobError): Promise<void> {
    this.unreadable.push({ body, error });
  }
}
