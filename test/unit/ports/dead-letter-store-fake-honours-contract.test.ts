import { describeDeadLetterStoreContract } from '#test/contracts/dead-letter-store.contract.ts';
import { InMemoryDeadLetterQueue } from '#test/fakes/in-memory-dead-letter-queue.ts';

describeDeadLetterStoreContract('in memory', async () => {
  const queue = new InMemoryDeadLetterQueue();
  return {
    writer: queue,
    store: queue,
    moveFromJobQueue: async (body) => queue.moveFromJobQueue(body),
    available: async () => queue.size,
  };
});
