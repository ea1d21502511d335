import { describe, expect, it } from 'vitest';
import { CredentialsError, RetryableUpstreamError } from '#shared/ports/upstream-errors.ts';
import { RetryLaterError } from '#shared/use-cases/process-job-message.ts';
import { aDailyBarRow, aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlane } from '#test/fixtures/data-plane-harness.ts';

const tick = { groupId: 'daily-bars', scheduledTime: '2026-11-27T08:30:00Z' };
const barsOf = (params: Readonly<Record<string, unknown>>) =>
  ['72030', '67580', '130A0', '99840']
    .filter((code) => params.code === undefined || params.code === code)
    .map((code) => aDailyBarRow(code, String(params.date ?? params.to)));

async function withGroup(overrides: Parameters<typeof aJobGroup>[0] = {}) {
  const plane = aDataPlane();
  await plane.groupStore.create(
    aJobGroup({
      parametersTemplate: { code: { $each: ['72030', '67580', '130A0'] }, date: '{{businessDate}}' },
      ...overrides,
    }),
  );
  plane.dataSource.rowsFor = barsOf;
  return plane;
}

describe('dispatch and fetch', () => {
  it('claims a run per tick, fetches one date once for many codes and stores each job its rows', async () => {
    const plane = await withGroup();
    const dispatched = await plane.dispatch(tick);
    expect(dispatched).toMatchObject({ outcome: 'dispatched', messages: 1 });
    await plane.work();
    expect(plane.dataSource.calls).toEqual([
      { dataset: 'jquants.equities.bars.daily', params: { date: '2026-11-27' } },
    ]);
    const run = await plane.runLedger.getRun('daily-bars.20261127T083000Z');
    expect(run).toMatchObject({
      status: 'succeeded',
      businessDate: '2026-11-27',
      counters: { total: 3, succeeded: 3, failed: 0, dead: 0 },
      upstreamRequests: 1,
    });
    const stored = await plane.marketData.queryRows(
      (await import('#shared/datasets/registry.ts')).requireDataset('jquants.equities.bars.daily'),
      { date: '2026-11-27' },
    );
    expect(stored.items.map((row) => row.code).sort()).toEqual(['130A0', '67580', '72030']);
    expect(stored.items.every((row) => row.runId === 'daily-bars.20261127T083000Z')).toBe(true);
  });

  it('does nothing on a second delivery of the same tick', async () => {
    const plane = await withGroup();
    await plane.dispatch(tick);
    expect(await plane.dispatch(tick)).toMatchObject({ outcome: 'duplicate' });
    expect(plane.queue.messages).toHaveLength(1);
  });

  it('records a paused group tick as skipped with the reason and sends nothing', async () => {
    const plane = await withGroup({ pause: { reason: 'holiday', pausedAt: '2026-11-26T00:00:00.000Z' } });
    const outcome = await plane.dispatch(tick);
    expect(outcome).toMatchObject({ outcome: 'skipped', run: { status: 'skipped', reason: 'group paused: holiday' } });
    expect(plane.queue.messages).toEqual([]);
  });

  it('neither fetches, writes nor counts again when a message is replayed', async () => {
    const plane = await withGroup();
    await plane.dispatch(tick);
    const [message] = plane.queue.messages.map((entry) => entry.message);
    await plane.work();
    const writes = plane.marketData.writes;
    plane.queue.messages.push({ message: message as never, delaySeconds: 0 });
    await plane.work();
    expect(plane.dataSource.calls).toHaveLength(1);
    expect(plane.marketData.writes).toBe(writes);
    expect((await plane.runLedger.getRun('daily-bars.20261127T083000Z'))?.counters.succeeded).toBe(3);
  });

  it('retries a retryable failure with backoff and succeeds later, counting attempts', async () => {
    const plane = await withGroup({ parametersTemplate: { code: '72030', from: '2026-11-20', to: '2026-11-27' } });
    let failures = 2;
    plane.dataSource.failWith = () =>
      failures-- > 0 ? new RetryableUpstreamError('HTTP 503', { status: 503, endpoint: '/x' }) : undefined;
    await plane.dispatch(tick);
    const errors = [...(await plane.work()), ...(await plane.work())];
    expect(errors.every((error) => error instanceof RetryLaterError && error.delaySeconds >= 1)).toBe(true);
    await plane.work();
    const [job] = (await plane.runLedger.listJobs('daily-bars.20261127T083000Z')).items;
    expect(job).toMatchObject({ status: 'succeeded', attemptsMade: 3 });
  });

  it('dead-letters a job whose attempts are exhausted, with its last error', async () => {
    const plane = await withGroup({ maxAttempts: 2, parametersTemplate: { code: '72030', date: '{{businessDate}}' } });
    plane.dataSource.failWith = () =>
      new RetryableUpstreamError('HTTP 500 from /equities/bars/daily', { status: 500, endpoint: '/x' });
    await plane.dispatch(tick);
    await plane.work();
    await plane.work();
    const run = await plane.runLedger.getRun('daily-bars.20261127T083000Z');
    expect(run).toMatchObject({ status: 'failed', counters: { total: 1, succeeded: 0, failed: 1, dead: 1 } });
    expect(plane.deadLetters.letters).toHaveLength(1);
    expect(plane.deadLetters.letters[0]).toMatchObject({
      attemptsMade: 2,
      error: { code: 'upstream_unavailable', message: 'HTTP 500 from /equities/bars/daily' },
      message: { version: 1, params: { code: '72030', date: '2026-11-27' } },
    });
  });

  it('fails every job at once on a credentials error and marks the data source', async () => {
    const plane = await withGroup();
    // On a plan that serves today (the Free plan withholds the newest 12 weeks: a 403 there is outside the plan).
    await plane.settingsStore.put({ id: 'jquants', plan: 'light', updatedAt: tick.scheduledTime, version: 1 }, 0);
    plane.dataSource.failWith = () =>
      new CredentialsError('403 from /equities/bars/daily: The incoming api key is invalid or expired.', {
        status: 403,
        endpoint: '/equities/bars/daily',
      });
    await plane.dispatch(tick);
    expect(await plane.work()).toEqual([]);
    expect(await plane.runLedger.getRun('daily-bars.20261127T083000Z')).toMatchObject({
      status: 'failed',
      counters: { total: 3, failed: 3, dead: 3 },
    });
    expect(await plane.settingsStore.getHealth('jquants')).toMatchObject({
      status: 'failing',
      reason: expect.stringContaining('invalid or expired'),
    });
    const jobs = (await plane.runLedger.listJobs('daily-bars.20261127T083000Z')).items;
    expect(jobs.every((job) => job.lastError?.code === 'upstream_credentials' && job.attemptsMade === 1)).toBe(true);
  });

  it('fails a job at once when the upstream row breaks its schema, storing nothing', async () => {
    const plane = await withGroup({ parametersTemplate: { code: '72030', date: '{{businessDate}}' } });
    plane.dataSource.rejectedFor = () => [{ series: '72030', reason: 'close: expected number, received string' }];
    await plane.dispatch(tick);
    expect(await plane.work()).toEqual([]);
    const [job] = (await plane.runLedger.listJobs('daily-bars.20261127T083000Z')).items;
    expect(job).toMatchObject({ status: 'failed', attemptsMade: 1, lastError: { code: 'invalid_data' } });
    expect(job?.lastError?.message).toContain('close');
    expect(plane.deadLetters.letters).toHaveLength(1);
  });

  it('fails a run whose template no longer expands, with the reason', async () => {
    const plane = await withGroup({ parametersTemplate: { code: '72030', date: '{{nope}}' } });
    expect(await plane.dispatch(tick)).toMatchObject({ outcome: 'failed', run: { status: 'failed' } });
  });

  it('finishes a run with no jobs at once', async () => {
    const plane = await withGroup({
      parametersTemplate: { code: { $each: { $listedCodes: {} } }, date: '{{businessDate}}' },
    });
    expect(await plane.dispatch(tick)).toMatchObject({ run: { status: 'succeeded', counters: { total: 0 } } });
  });

  it('runs a manual run for a chosen business date beside the scheduled ones', async () => {
    const plane = await withGroup();
    const manual = await plane.dispatch({ ...tick, trigger: 'manual', businessDate: '2026-11-20' });
    expect(manual).toMatchObject({ outcome: 'dispatched', run: { trigger: 'manual', businessDate: '2026-11-20' } });
    await plane.work();
    expect(await plane.dispatch(tick)).toMatchObject({ outcome: 'dispatched' });
  });
});

describe('rate limits in the worker', () => {
  it('pauses the data source on a 429 and defers the job without spending an attempt, however long the storm', async () => {
    const { RateLimitedError } = await import('#shared/ports/upstream-errors.ts');
    const plane = await withGroup({ maxAttempts: 2, parametersTemplate: { code: '72030', date: '{{businessDate}}' } });
    plane.dataSource.failWith = () =>
      new RateLimitedError('429 from /equities/bars/daily', { status: 429, endpoint: '/x' });
    await plane.dispatch(tick);
    for (let storm = 0; storm < 20; storm++) {
      expect(await plane.work()).toEqual([]);
      const [entry] = plane.queue.messages;
      // Deferred until the pause ends (at most 2 s early, to take its slot in place).
      expect(entry?.delaySeconds).toBeGreaterThanOrEqual(58);
      plane.clock.advance(((entry?.delaySeconds ?? 0) + 3) * 1000);
    }
    expect(plane.rateLimiter.pauses).toHaveLength(20);
    expect(plane.deadLetters.letters).toEqual([]);
    const [job] = (await plane.runLedger.listJobs('daily-bars.20261127T083000Z')).items;
    expect(job).toMatchObject({ status: 'queued', attemptsMade: 0 });

    plane.dataSource.failWith = undefined;
    await plane.work();
    expect(await plane.runLedger.getRun('daily-bars.20261127T083000Z')).toMatchObject({ status: 'succeeded' });
    expect((await plane.runLedger.listJobs('daily-bars.20261127T083000Z')).items[0]?.attemptsMade).toBe(1);
  });

  it('defers a job when the next request slot is further off than a worker may wait', async () => {
    const plane = await withGroup({ parametersTemplate: { code: '72030', date: '{{businessDate}}' } });
    plane.rateLimiter.deferMs = 42_000;
    await plane.dispatch(tick);
    await plane.work();
    expect(plane.queue.messages.map((entry) => entry.delaySeconds)).toEqual([42]);
    expect(plane.rateLimiter.acquired).toEqual([]);
    expect((await plane.runLedger.listJobs('daily-bars.20261127T083000Z')).items[0]).toMatchObject({
      status: 'queued',
      attemptsMade: 0,
    });
  });

  it('takes a request slot before every upstream request, pages included', async () => {
    const plane = await withGroup({ parametersTemplate: { code: '72030', date: '{{businessDate}}' } });
    plane.dataSource.pagesPerFetch = 3;
    await plane.dispatch(tick);
    await plane.work();
    expect(plane.rateLimiter.acquired).toHaveLength(3);
    expect((await plane.runLedger.getRun('daily-bars.20261127T083000Z'))?.upstreamRequests).toBe(3);
  });
});

describe('overlap policy', () => {
  it('skips a tick while the group previous run is still going, and allows it with overlap allow', async () => {
    const plane = await withGroup();
    await plane.dispatch(tick);
    const next = { groupId: 'daily-bars', scheduledTime: '2026-11-28T08:30:00Z' };
    expect(await plane.dispatch(next)).toMatchObject({
      outcome: 'skipped',
      run: { status: 'skipped', reason: 'overlap: run daily-bars.20261127T083000Z is still running' },
    });
    const allowing = await withGroup({ overlap: 'allow' });
    await allowing.dispatch(tick);
    expect(await allowing.dispatch(next)).toMatchObject({ outcome: 'dispatched' });
  });

  it('no longer yields to a previous run once it is past its deadline', async () => {
    const plane = await withGroup({ runDeadline: 'PT1H' });
    await plane.dispatch(tick);
    plane.clock.advance(2 * 60 * 60_000);
    const next = { groupId: 'daily-bars', scheduledTime: '2026-11-27T10:30:00Z' };
    expect(await plane.dispatch(next)).toMatchObject({ outcome: 'dispatched' });
  });
});
