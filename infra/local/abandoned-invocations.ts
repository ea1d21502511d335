import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Lambda freezes an invocation that reaches its timeout: whatever it was awaiting never resumes, so it writes
 * nothing more and sends no more requests. In one process a promise cannot be frozen, so the local runtime does
 * the next best thing: every AWS call and every outbound HTTP request made on behalf of an abandoned invocation
 * fails, and whatever the abandoned code then does with the failure reaches no one.
 *
 * An invocation is marked abandoned in its own invocation context (`lambda-context.ts`); `isAbandoned` reads the
 * context of the code that is running.
 */
export class InvocationAbandonedError extends Error {
  override readonly name = 'InvocationAbandonedError';

  constructor() {
    super('this invocation passed its timeout and was abandoned, as Lambda freezes it');
  }
}

let installed = false;

/** Makes AWS SDK sends and `fetch` calls of abandoned invocations fail (once per process; the sandbox only). */
export function freezeAbandonedInvocations(isAbandoned: () => boolean): void {
  if (installed) return;
  installed = true;
  // Every SDK client, the document client included, sends through the one Smithy client class they all extend.
  const smithyClient = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: (...args: unknown[]) => unknown };
  const send = smithyClient.send;
  smithyClient.send = function sendUnlessAbandoned(this: unknown, ...args: unknown[]) {
    if (isAbandoned()) return Promise.reject(new InvocationAbandonedError());
    return send.apply(this, args);
  };
  const fetch = globalThis.fetch;
  globalThis.fetch = (input, init) =>
    isAbandoned() ? Promise.reject(new InvocationAbandonedError()) : fetch(input, init);
}
