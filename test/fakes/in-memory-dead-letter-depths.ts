import type { DeadLetterDepths, QueueDepth } from '#shared/ports/queue-depths.ts';

/** DeadLetterDepths whose counts a test sets (`set`); every queue starts empty. */
export class InMemoryDeadLetterDepths implements DeadLetterDepths {
  readonly #messages = new Map<string, number>();

  constructor(queues: readonly string[] = ['jquants', 'yahoo', 'backfill steps', 'schedules']) {
    for (const queue of queues) this.#messages.set(queue, 0);
  }

  set(queue: string, messages: number): void {
    this.#messages.set(queue, messages);
  }

  async depths(): Promise<readonly QueueDepth[]> {
    return [...this.#messages].map(([queue, messages]) => ({ queue, messages }));
  }
}
