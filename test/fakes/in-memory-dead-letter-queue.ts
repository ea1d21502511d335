import type { DeadLetter, DeadLetterQueue } from '#shared/ports/dead-letter-queue.ts';

/** DeadLetterQueue in memory: letters wait in `letters`. */
export class InMemoryDeadLetterQueue implements DeadLetterQueue {
  readonly letters: DeadLetter[] = [];

  async send(letter: DeadLetter): Promise<void> {
    this.letters.push(structuredClone(letter));
  }
}
