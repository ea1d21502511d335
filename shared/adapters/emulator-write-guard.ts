import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Moto applies writes without locks: an UpdateItem's `ADD` reads and writes the item in two steps, and a
 * TransactWriteItems swaps deep copies of its tables back on cancellation, silently dropping every write that
 * landed meanwhile (getmoto/moto moto/dynamodb/models/__init__.py). Real DynamoDB makes each write atomic, so this
 * guard exists only for clients pointed at an emulator: within this process, DynamoDB writes go one at a time.
 * Reads are untouched.
 */

const writeCommands = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  // lib-dynamodb's names, in case its commands ever report their own
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'BatchWriteCommand',
  'TransactWriteCommand',
]);

let queue: Promise<unknown> = Promise.resolve();

/** Runs `work` after every write queued before it. */
function serialised<T>(work: () => Promise<T>): Promise<T> {
  const result = queue.then(work, work);
  queue = result.catch(() => undefined);
  return result;
}

/** Serialises this process's writes through `client` (emulator endpoints only; see above). */
export function guardEmulatorWrites(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => (args) =>
      writeCommands.has(context.commandName ?? '') ? serialised(() => next(args)) : next(args),
    { step: 'initialize', name: 'moomooEmulatorWriteGuard' },
  );
}
