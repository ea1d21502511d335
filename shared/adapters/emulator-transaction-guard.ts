import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Moto applies TransactWriteItems in place after deep-copying each touched table, and on cancellation swaps the
 * copies back (getmoto/moto moto/dynamodb/models/__init__.py): every write that landed in between is silently lost.
 * Real DynamoDB serialises transactions, so this guard exists only for clients pointed at an emulator: within this
 * process a transaction runs alone, while other writes may overlap each other.
 */

const transactionCommands = new Set(['TransactWriteItemsCommand', 'TransactWriteCommand']);
const writeCommands = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'BatchWriteCommand',
]);

/** A reader-writer lock: many shared holders, or one exclusive holder. Exclusive waiters go first. */
class SharedExclusiveLock {
  #shared = 0;
  #exclusive = false;
  #waitingExclusive = 0;
  readonly #wakers: (() => void)[] = [];

  async withShared<T>(work: () => Promise<T>): Promise<T> {
    while (this.#exclusive || this.#waitingExclusive > 0) await this.#wait();
    this.#shared++;
    try {
      return await work();
    } finally {
      this.#shared--;
      this.#wakeAll();
    }
  }

  async withExclusive<T>(work: () => Promise<T>): Promise<T> {
    this.#waitingExclusive++;
    while (this.#exclusive || this.#shared > 0) await this.#wait();
    this.#waitingExclusive--;
    this.#exclusive = true;
    try {
      return await work();
    } finally {
      this.#exclusive = false;
      this.#wakeAll();
    }
  }

  #wait(): Promise<void> {
    return new Promise((resolve) => this.#wakers.push(resolve));
  }

  #wakeAll(): void {
    for (const wake of this.#wakers.splice(0)) wake();
  }
}

const lock = new SharedExclusiveLock();

/** Makes transactions exclusive against every other write this process sends through `client`. */
export function guardEmulatorTransactions(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => (args) => {
      const command = context.commandName ?? '';
      if (transactionCommands.has(command)) return lock.withExclusive(() => next(args));
      if (writeCommands.has(command)) return lock.withShared(() => next(args));
      return next(args);
    },
    { step: 'initialize', name: 'moomooEmulatorTransactionGuard' },
  );
}
