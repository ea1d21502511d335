import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '#infra/local/sandbox.ts';
import { backfillStepsQueue } from '#infra/resources.ts';
import { adminClient, eventually, startDemoSandbox } from '#test/fixtures/sandbox-client.ts';

let sandbox: Sandbox;
let request: ReturnType<typeof adminClient>;
let sqs: SQSClient;
const lines: string[] = [];

beforeAll(async () => {
  sandbox = await startDemoSandbox({}, lines);
  request = adminClient(sandbox);
  sqs = new SQSClient({ endpoint: sandbox.awsEndpoint, useQueueUrlAsEndpoint: false });
});

afterAll(async () => {
  sqs?.destroy();
  await sandbox?.stop();
});

const queueUrl = (): string => sandbox.environment[backfillStepsQueue.envVar] ?? '';
const deadLetterQueueUrl = (): string => sandbox.environment[backfillStepsQueue.deadLetterEnvVar] ?? '';

/** Messages on a queue, waiting or in hand. */
async function messagesOn(url: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
}

describe('backfill steps through the sandbox', () => {
  it('provisions the backfill steps queue with its dead-letter queue, both on the emulator', () => {
    for (const url of [queueUrl(), deadLetterQueueUrl()]) {
      expect(new URL(url).hostname).toBe('127.0.0.1');
    }
  });

  it('consumes a step for an unknown backfill: advance-backfill takes it, does nothing and deletes it', async () => {
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: JSON.stringify({ backfillId: 'no-such-backfill' }) }),
    );
    await eventually(async () => (await messagesOn(queueUrl())) === 0);
    expect(await messagesOn(deadLetterQueueUrl())).toBe(0);
  });

  it('takes a backfill started through the admin API from planning to its end, step by step', async () => {
    const created = await request('POST', '/groups', {
      id: 'bars-backfill',
      name: 'Bars backfill',
      dataSource: 'jquants',
      dataset: 'jquants.equities.bars.daily',
      schedule: '0 18 * * 1-5',
      parametersTemplate: { code: { $each: ['72030', '67580'] }, date: '{{businessDate}}' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const started = await request('POST', '/groups/bars-backfill/backfill', { from: '2026-11-02', to: '2026-11-06' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.status).toBe('planning');

    // Its first step finds no stored calendar and fetches it in a run; that run's end asks for the step that plans.
    const finished = await eventually(async () => {
      const backfill = (await request('GET', `/backfills/${encodeURIComponent(started.body.backfillId)}`)).body;
      return ['succeeded', 'partially_failed', 'failed', 'cancelled'].includes(backfill.status) ? backfill : undefined;
    }, 60_000);
    // 2026-11-03 is Culture Day, a JPX holiday: four business dates.
    expect(finished, JSON.stringify(finished)).toMatchObject({
      status: 'succeeded',
      progress: { dates: { total: 4, done: 4, failed: 0 } },
    });
    expect(await messagesOn(deadLetterQueueUrl())).toBe(0);
    expect(lines.filter((line) => line.includes('advance-backfill'))).toEqual([]);
  });
});
