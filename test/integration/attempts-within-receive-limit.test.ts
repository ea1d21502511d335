import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { crashDeliveryMargin, fetchQueues } from '#infra/resources.ts';
import { maxAttemptsLimit } from '#shared/domain/job-group.ts';
import { readDeadLetter } from '#shared/messages/dead-letter-body.ts';
import { RetryableUpstreamError } from '#shared/ports/upstream-errors.ts';
import { aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlaneOnMoto } from '#test/fixtures/moto-data-plane.ts';

describe('the job queue receive limit', () => {
  it('stays above the most attempts a job may have, with room for crashed deliveries', () => {
    for (const queue of fetchQueues)
      expect(queue.maxReceiveCount).toBeGreaterThanOrEqual(maxAttemptsLimit + crashDeliveryMargin);
  });

  it('lets a job with 20 attempts end failed in the ledger, dead-lettered by the worker, never by the queue', async () => {
    const maxReceiveCount = fetchQueues[0]?.maxReceiveCount ?? 0;
    const plane = await aDataPlaneOnMoto({ maxReceiveCount });
    await plane.ports.groupStore.create(
      aJobGroup({ id: 'bars', maxAttempts: 20, parametersTemplate: { code: '72030', date: '{{businessDate}}' } }),
    );
    plane.dataSource.failWith = () => new RetryableUpstreamError('HTTP 503', { status: 503, endpoint: '/x' });
    await plane.dispatch({ groupId: 'bars', scheduledTime: '2026-11-27T08:30:00.000Z' });
    await plane.work(25);
    const [job] = (await plane.ledger.listJobs('bars.20261127T083000Z')).items;
    expect(job).toMatchObject({
      status: 'failed',
      attemptsMade: 20,
      deadLettered: true,
      lastError: { code: 'upstream_unavailable' },
    });
    expect(await plane.receive(0)).toEqual([]);
    const { Messages = [] } = await plane.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: plane.deadLetterUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    expect(Messages.map((message) => readDeadLetter(message.MessageId ?? '', message.Body ?? ''))).toEqual([
      expect.objectContaining({ kind: 'job', movedBy: 'worker', attemptsMade: 20 }),
    ]);
  });
});
