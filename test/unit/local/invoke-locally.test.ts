import { InvokeStore } from '@aws/lambda-invoke-store';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { invokeLocally, lambdaContext } from '#infra/local/lambda-context.ts';

const sqsEvent = (ids: string[]): SQSEvent => ({
  Records: ids.map((id) => ({ messageId: id, body: id }) as SQSRecord),
});
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('invokeLocally', () => {
  // As in the sandbox: the AWS SDK's first request (provisioning) makes the runtime's store before any invocation.
  beforeAll(async () => {
    await InvokeStore.getInstanceAsync();
  });

  it('keeps the batch state of concurrent invocations of one handler apart', async () => {
    // One processor per function, built at module scope as in fetchWorkerLambda.
    const processor = new BatchProcessor(EventType.SQS);
    const recordHandler = async (record: SQSRecord) => {
      await pause(record.body.startsWith('slow') ? 30 : 1);
      if (record.body.endsWith('fails')) throw new Error(`${record.body} failed`);
    };
    const handler = (event: SQSEvent, context: Context) =>
      processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
    const [first, second] = await Promise.all([
      invokeLocally(handler, sqsEvent(['slow-a', 'slow-a-fails']), lambdaContext('worker', 60, 'ap-northeast-1')),
      invokeLocally(handler, sqsEvent(['b', 'b-fails']), lambdaContext('worker', 60, 'ap-northeast-1')),
    ]);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'slow-a-fails' }]);
    expect(second.batchItemFailures).toEqual([{ itemIdentifier: 'b-fails' }]);
  });

  it('logs each concurrent invocation under its own function name and request id', async () => {
    const lines: Record<string, unknown>[] = [];
    // Out of dev mode, as deployed, Powertools writes one JSON line per entry straight to stdout.
    const devMode = process.env.POWERTOOLS_DEV;
    delete process.env.POWERTOOLS_DEV;
    const logger = new Logger({ logRecordOrder: ['message'] });
    if (devMode !== undefined) process.env.POWERTOOLS_DEV = devMode;
    const lambdaHandler = async (event: { name: string; wait: number }) => {
      await pause(event.wait);
      logger.info(`done ${event.name}`);
    };
    const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      if (chunk.includes('"message":"done')) lines.push(JSON.parse(chunk) as Record<string, unknown>);
      return true;
    }) as typeof process.stdout.write;
    try {
      const admin = lambdaContext('admin', 60, 'ap-northeast-1');
      const worker = lambdaContext('worker', 60, 'ap-northeast-1');
      await Promise.all([
        invokeLocally(handler, { name: 'admin', wait: 30 }, admin),
        invokeLocally(handler, { name: 'worker', wait: 1 }, worker),
      ]);
      expect(lines.map((line) => [line.message, line.function_name, line.function_request_id]).sort()).toEqual([
        ['done admin', 'admin', admin.awsRequestId],
        ['done worker', 'worker', worker.awsRequestId],
      ]);
    } finally {
      process.stdout.write = write;
    }
  });
});
