import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freezeAbandonedInvocations, InvocationAbandonedError } from '#infra/local/abandoned-invocations.ts';
import {
  InvocationTimeoutError,
  invokeLocally,
  isInAbandonedInvocation,
  lambdaContext,
} from '#infra/local/lambda-context.ts';
import { createTable } from '#infra/local/provision.ts';
import { SqsPoller } from '#infra/local/sqs-poller.ts';
import { dataSourcesTable } from '#infra/resources.ts';
import { createDocumentClient } from '#shared/adapters/aws-clients.ts';
import { eventually } from '#test/fixtures/sandbox-client.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the local runtime at a function timeout', () => {
  const documents = createDocumentClient();
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const tableName = `frozen-${Date.now()}`;
  const upstreamCalls: string[] = [];
  const upstream = createServer((request, response) => {
    upstreamCalls.push(request.url ?? '');
    response.end('{}');
  });
  let upstreamUrl: string;

  beforeAll(async () => {
    await createTable(documents, dataSourcesTable, tableName);
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
    freezeAbandonedInvocations(isInAbandonedInvocation);
  });
  afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

  it('abandons the invocation with no response, and nothing it does afterwards reaches AWS or an upstream', async () => {
    let lateWrite: unknown;
    let lateFetch: unknown;
    const handler = async (): Promise<string> => {
      await pause(1_500);
      lateWrite = await documents
        .send(new PutCommand({ TableName: tableName, Item: { pk: 'late' } }))
        .catch((error: unknown) => error);
      lateFetch = await fetch(upstreamUrl).catch((error: unknown) => error);
      return 'done';
    };
    await expect(invokeLocally(handler, {}, lambdaContext('slow', 1, 'ap-northeast-1'))).rejects.toThrow(
      InvocationTimeoutError,
    );
    await eventually(async () => lateFetch !== undefined, 5_000);
    expect(lateWrite).toBeInstanceOf(InvocationAbandonedError);
    expect(lateFetch).toBeInstanceOf(InvocationAbandonedError);
    expect((await documents.send(new GetCommand({ TableName: tableName, Key: { pk: 'late' } }))).Item).toBeUndefined();
    expect(upstreamCalls).toEqual([]);
    // A live invocation beside it is untouched.
    const live = await invokeLocally(
      async () => (await fetch(upstreamUrl)).status,
      {},
      lambdaContext('quick', 1, 'ap-northeast-1'),
    );
    expect(live).toBe(200);
  });

  it('leaves the batch of an abandoned worker on the queue, to come back after its visibility timeout', async () => {
    const { QueueUrl: queueUrl = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: `frozen-${Date.now()}`, Attributes: { VisibilityTimeout: '2' } }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'job' }));
    const deliveries: number[] = [];
    const errors: unknown[] = [];
    const poller = new SqsPoller({
      client: sqs,
      queueUrl,
      queueArn: 'arn:aws:sqs:ap-northeast-1:123456789012:frozen',
      region: 'ap-northeast-1',
      batchSize: 1,
      maxConcurrency: 1,
      handler: (event: SQSEvent) =>
        invokeLocally(
          async () => {
            deliveries.push(Date.now());
            // The first delivery hangs past the 1 s timeout; the second succeeds.
            if (deliveries.length === 1) await pause(1_500);
            return { batchItemFailures: [] };
          },
          event,
          lambdaContext('worker', 1, 'ap-northeast-1'),
        ),
      onError: (error) => errors.push(error),
    });
    poller.start();
    try {
      await eventually(async () => deliveries.length >= 2, 15_000);
    } finally {
      await poller.stop();
    }
    expect(errors[0]).toBeInstanceOf(InvocationTimeoutError);
    expect(deliveries).toHaveLength(2);
  });
});
