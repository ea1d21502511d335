import { randomUUID } from 'node:crypto';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
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

/**
 * Invokes a handler in-process as Lambda Managed Instances run concurrent invocations in one execution environment:
 * each inside its own InvokeStore context (AsyncLocalStorage), with `AWS_LAMBDA_MAX_CONCURRENCY` set. Powertools then
 * keeps each invocation's Lambda context and log keys, metrics and batch state apart. The sandbox runs every function
 * in one process, many invocations at once; without this, two fetch workers in flight would share one
 * `BatchProcessor`'s records and report each other's failures.
 */
export async function invokeLocally<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
  event: Event,
  context: Context,
): Promise<Result> {
  const store = await concurrentInvokeStore();
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId }, () =>
    handler(event, context),
  );
}

let invokeStore: Promise<InvokeStoreBase> | undefined;

function concurrentInvokeStore(): Promise<InvokeStoreBase> {
  // Powertools scopes its state to the invocation only while this is set; its value is the runtime's limit.
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
  invokeStore ??= InvokeStore.getInstanceAsync(true);
  return invokeStore;
}
