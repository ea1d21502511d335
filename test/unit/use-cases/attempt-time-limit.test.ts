import { afterEach, describe, expect, it } from 'vitest';
import { JquantsClient } from '#shared/data-sources/jquants/jquants-client.ts';
import { JquantsDataSource } from '#shared/data-sources/jquants/jquants-data-source.ts';
import { RetryLaterError } from '#shared/use-cases/process-job-message.ts';
import { aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlane } from '#test/fixtures/data-plane-harness.ts';
import { type JquantsTestServer, startJquantsServer } from '#test/fixtures/jquants/jquants-test-server.ts';

let server: JquantsTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('an attempt near the end of its invocation', () => {
  it('aborts a stalled upstream call early enough to record a retry that spends the attempt', async () => {
    server = await startJquantsServer(() => ({ hang: true }));
    // The real J-Quants data source against an upstream that never answers; its own timeout is far off.
    const plane = aDataPlane({
      dataSource: (clock) =>
        new JquantsDataSource({
          client: new JquantsClient({ apiKey: async () => 'key', baseUrl: server?.baseUrl ?? '', timeoutMs: 60_000 }),
          clock,
        }),
    });
    await plane.groupStore.create(aJobGroup({ parametersTemplate: { code: '72030', date: '{{businessDate}}' } }));
    await plane.dispatch({ groupId: 'daily-bars', scheduledTime: '2026-11-27T08:30:00Z' });
    const [message] = plane.queue.drain();
    if (message === undefined) throw new Error('nothing was dispatched');
    // An invocation with 3 s left: the call is given up with a second to spare, for the writes that record it.
    const outcome = await plane.deliver(message, plane.clock.now().getTime() + 3_000).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(RetryLaterError);
    const [job] = (await plane.runLedger.listJobs('daily-bars.20261127T083000Z')).items;
    expect(job).toMatchObject({ status: 'retrying', attemptsMade: 1, lastError: { code: 'attempt_time_limit' } });
    expect(server.requests).toHaveLength(1);
  });
});
