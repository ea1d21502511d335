import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SqsJobQueue } from '#shared/adapters/sqs-job-queue.ts';
import { aRunJobMessage } from '#test/fixtures/builders.ts';

const sqsMock = mockClient(SQSClient);
const queueUrl = 'http://127.0.0.1:1/123456789012/jobs';
const messages = (count: number) =>
  Array.from({ length: count }, (_, index) => aRunJobMessage({ jobId: `job-${index}` }));
const queue = () => new SqsJobQueue({ client: new SQSClient({}), queueUrl, retryBaseDelayMs: 1 });

afterEach(() => {
  sqsMock.reset();
});

describe('SqsJobQueue', () => {
  it('sends 10 entries per SendMessageBatch', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const result = await queue().send(messages(95));
    expect(result).toEqual({ sent: 95, failed: [] });
    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(10);
    expect(calls.map((call) => call.args[0].input.Entries?.length).sort((a = 0, b = 0) => a - b)).toEqual([
      5, 10, 10, 10, 10, 10, 10, 10, 10, 10,
    ]);
  });

  it('retries only the entries that failed transiently', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '3', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Failed: [] });
    const result = await queue().send(messages(10));
    expect(result).toEqual({ sent: 10, failed: [] });
    const retry = sqsMock.commandCalls(SendMessageBatchCommand)[1]?.args[0].input;
    expect(retry?.Entries?.map((entry) => JSON.parse(entry.MessageBody ?? '{}').jobId)).toEqual(['job-3']);
  });

  it('reports sender faults at once without retrying them', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({
      Failed: [{ Id: '0', Code: 'InvalidParameterValue', Message: 'too big', SenderFault: true }],
    });
    const result = await queue().send(messages(2));
    expect(result.sent).toBe(1);
    expect(result.failed).toEqual([{ message: messages(2)[0], error: 'InvalidParameterValue: too big' }]);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('retries a throttled request and gives up after its attempts with the reason', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    sqsMock.on(SendMessageBatchCommand).rejects(throttled);
    const result = await new SqsJobQueue({
      client: new SQSClient({}),
      queueUrl,
      retryBaseDelayMs: 1,
      maxSendAttempts: 3,
    }).send(messages(3));
    expect(result.sent).toBe(0);
    expect(result.failed.map((entry) => entry.error)).toEqual(Array(3).fill('ThrottlingException: Rate exceeded'));
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
  });

  it('passes a delay to every entry', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Failed: [] });
    await queue().send(messages(2), { delaySeconds: 30 });
    const entries = sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries ?? [];
    expect(entries.map((entry) => entry.DelaySeconds)).toEqual([30, 30]);
  });
});
