import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

/** A Lambda-like context for an in-process invocation: request id, function name and a real deadline. */
export function lambdaContext(functionName: string, timeoutSeconds: number, region: string): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** The invocation ran past its function's timeout: Lambda ends it with no response. */
export class InvocationTimeoutError extends Error {
  override readonly name = 'InvocationTimeoutError';

  constructor(functionName: string) {
    super(`${functionName} timed out: the invocation was abandoned with no response`);
  }
}

/** Marks an invocation's context once its timeout has passed. */
const abandonedKey = Symbol('moomoo.abandoned');

/**
 * Invokes a handler in-process as Lambda Managed Instances run concurrent invocations in one execution environment:
 * each inside its own invocation context, with `AWS_LAMBDA_MAX_CONCURRENCY` set. Powertools then keeps each
 * invocation's Lambda context and log keys, metrics and batch state apart. The sandbox runs every function in one
 * process, many invocations at once; without this, two fetch workers in flight would share one `BatchProcessor`'s
 * records and report each other's failures.
 *
 * The function's timeout is enforced as Lambda does: at the context's deadline the invocation is abandoned — the
 * caller gets `InvocationTimeoutError` and no response (so an SQS poller deletes nothing), and the abandoned code
 * can no longer reach AWS or an upstream (`abandoned-invocations.ts`).
 */
export function invokeLocally<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
  event: Event,
  context: Context,
): Promise<Result> {
  const invocation: Record<string | symbol, unknown> = {
    [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId,
  };
  const running = concurrentInvokeStore().run(invocation, () => handler(event, context));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      invocation[abandonedKey] = true;
      reject(new InvocationTimeoutError(context.functionName));
    }, context.getRemainingTimeInMillis());
  });
  // What an abandoned invocation does later is nobody's business, its failures included.
  running.catch(() => undefined);
  return Promise.race([running, timedOut]).finally(() => clearTimeout(timer));
}

/** True when the code running now belongs to an invocation abandoned at its timeout. */
export function isInAbandonedInvocation(): boolean {
  return installedStore?.get(abandonedKey) === true;
}

/** The runtime's invocation store for concurrent invocations: one context per invocation, kept across awaits. */
class ConcurrentInvokeStore extends InvokeStoreBase {
  readonly #contexts = new AsyncLocalStorage<Record<string | symbol, unknown>>();

  getContext(): Record<string | symbol, unknown> | undefined {
    return this.#contexts.getStore();
  }

  hasContext(): boolean {
    return this.#contexts.getStore() !== undefined;
  }

  get<T = unknown>(key: string | symbol): T | undefined {
    return this.#contexts.getStore()?.[key] as T | undefined;
  }

  set<T = unknown>(key: string | symbol, value: T): void {
    const context = this.#contexts.getStore();
    if (this.isProtectedKey(key) || key === abandonedKey || context === undefined) {
      throw new Error(`cannot set ${String(key)} outside an invocation or on a protected key`);
    }
    context[key] = value;
  }

  run<T>(context: Record<string | symbol, unknown>, fn: () => T): T {
    return this.#contexts.run(context, fn);
  }
}

let installedStore: ConcurrentInvokeStore | undefined;

/**
 * Installs the store where the Lambda runtime puts its own (`globalThis.awslambda.InvokeStore`), which Powertools
 * reads on every access. It replaces any store made earlier: the AWS SDK asks for one on its first request and, with
 * no runtime around, gets a single-invocation store.
 */
function concurrentInvokeStore(): ConcurrentInvokeStore {
  if (installedStore === undefined) {
    // Powertools scopes its state to the invocation only while this is set; its value is the runtime's limit.
    process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
    installedStore = new ConcurrentInvokeStore();
  }
  globalThis.awslambda ??= {} as typeof globalThis.awslambda;
  globalThis.awslambda.InvokeStore = installedStore;
  return installedStore;
}
