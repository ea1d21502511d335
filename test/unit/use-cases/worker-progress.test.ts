import { describe, expect, it } from 'vitest';
import { requireDataset } from '#shared/datasets/registry.ts';
import type { JobGroup, ParametersTemplate } from '#shared/domain/job-group.ts';
import { grantIntervalMs } from '#shared/domain/rate-pacing.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import { metricNames } from '#shared/observability/metric-names.ts';
import { RetryableUpstreamError } from '#shared/ports/upstream-errors.ts';
import { FakeDataSource } from '#test/fakes/fake-data-source.ts';
import { aDailyBarRow, aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlane } from '#test/fixtures/data-plane-harness.ts';

const tick = { groupId: 'daily-bars', scheduledTime: '2026-11-27T08:30:00Z' };
const runId = 'daily-bars.20261127T083000Z';
const codes = ['72030', '67580', '130A0', '99840'];
const bars = requireDataset('jquants.equities.bars.daily');
/** Slots 12.4 s apart: the Free plan's 5 requests a minute. */
const freePlanIntervalMs = grantIntervalMs({ limit: 5, per: 'minute' });

async function aDateOfCodes(
  template: ParametersTemplate = { code: { $each: codes }, date: '{{businessDate}}' },
  overrides: Partial<JobGroup> = {},
) {
  const plane = aDataPlane();
  await plane.groupStore.create(aJobGroup({ parametersTemplate: template, ...overrides }));
  plane.dataSource.rowsFor = (params) =>
    codes
      .filter((code) => params.code === undefined || params.code === code)
      .map((code) => aDailyBarRow(code, '2026-11-27'));
  return plane;
}

/** Delivers every waiting message, the clock moved on by each one's delay first, until none is left. */
async function runToTheEnd(plane: ReturnType<typeof aDataPlane>, rounds = 20): Promise<void> {
  for (let round = 0; round < rounds && plane.queue.messages.length > 0; round++) {
    const [next] = plane.queue.messages;
    plane.clock.advance((next?.delaySeconds ?? 0) * 1000);
    await plane.work();
  }
}

describe('progress on every plan', () => {
  it('fetches a 4-page date at 5 requests a minute in 4 requests, each page once, across a deferral', async () => {
    const plane = await aDateOfCodes();
    plane.dataSource.pagesPerFetch = 4;
    plane.rateLimiter.intervalMs = freePlanIntervalMs;
    await plane.dispatch(tick);
    await plane.work();
    // Three slots fit the invocation; the fourth is reserved and the message deferred until just before it.
    const [deferred] = plane.queue.messages;
    expect(deferred?.message.requestSlot).toMatchObject({ intervalMs: freePlanIntervalMs });
    expect(deferred?.delaySeconds).toBeGreaterThan(20);
    const waiting = (await plane.runLedger.listJobs(runId)).items;
    expect(waiting.every((job) => job.waitingFor === 'rate-limit' && job.deferrals === 1)).toBe(true);
    // Four jobs wait, fetched together: their date's message was deferred once.
    expect(await plane.runLedger.getRun(runId)).toMatchObject({ waitingForRateLimit: 4, deferrals: 1 });
    await runToTheEnd(plane);
    expect(plane.dataSource.pageRequests).toEqual([
      '{"date":"2026-11-27"}@0',
      '{"date":"2026-11-27"}@1',
      '{"date":"2026-11-27"}@2',
      '{"date":"2026-11-27"}@3',
    ]);
    expect(await plane.runLedger.getRun(runId)).toMatchObject({
      status: 'succeeded',
      upstreamRequests: 4,
      waitingForRateLimit: 0,
      counters: { total: 4, succeeded: 4 },
    });
    // One request per slot, each slot 12.4 s after the one before.
    const first = plane.rateLimiter.acquired[0]?.atMs ?? 0;
    const spacings = plane.rateLimiter.acquired.map((grant) => Math.round((grant.atMs - first) / freePlanIntervalMs));
    expect(spacings).toEqual([0, 1, 2, 3]);
    expect((await plane.runLedger.getJob(runId, '@date-2026-11-27'))?.checkpoint).toBeUndefined();
  });

  it('fetches within an invocation of any length, to the millisecond', async () => {
    const plane = await aDateOfCodes();
    await plane.dispatch(tick);
    for (const message of plane.queue.drain()) await plane.deliver(message, plane.clock.now().getTime() + 29_999);
    expect(await plane.runLedger.getRun(runId)).toMatchObject({ status: 'succeeded', upstreamRequests: 1 });
  });

  it('defers without spending an attempt a job whose invocation has no time left for a request', async () => {
    // A data source that takes a moment before its first request, by which time the attempt's time is up.
    const late = new FakeDataSource();
    late.rowsFor = () => [aDailyBarRow('72030', '2026-11-27')];
    const plane = aDataPlane({
      dataSource: () => ({
        id: 'jquants',
        validateCredentials: () => late.validateCredentials(),
        fetchPages: async function* (dataset, params, context) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          yield* late.fetchPages(dataset, params, context);
        },
      }),
    });
    await plane.groupStore.create(aJobGroup({ parametersTemplate: { code: '72030', date: '{{businessDate}}' } }));
    await plane.dispatch(tick);
    for (const message of plane.queue.drain()) await plane.deliver(message, plane.clock.now().getTime() + 1_000);
    const [job] = (await plane.runLedger.listJobs(runId)).items;
    expect(job).toMatchObject({ status: 'queued', attemptsMade: 0, waitingFor: 'rate-limit' });
    expect(plane.queue.messages).toHaveLength(1);
  });

  it('goes on from the page after the last stored one when an attempt fails midway', async () => {
    const plane = await aDateOfCodes({ code: '72030', from: '2026-11-01', to: '2026-11-27' });
    plane.dataSource.pagesPerFetch = 3;
    let failures = 1;
    plane.dataSource.failWith = (_params, page) =>
      page === 2 && failures-- > 0
        ? new RetryableUpstreamError('HTTP 503', { status: 503, endpoint: '/x' })
        : undefined;
    await plane.dispatch(tick);
    await plane.work();
    const [retrying] = (await plane.runLedger.listJobs(runId)).items;
    expect(retrying).toMatchObject({ status: 'retrying', attemptsMade: 1, checkpoint: { next: 'page-2', pages: 2 } });
    await plane.work();
    expect(plane.dataSource.pageRequests.map((request) => request.split('@')[1])).toEqual(['0', '1', '2', '2']);
    const [done] = (await plane.runLedger.listJobs(runId)).items;
    expect(done).toMatchObject({ status: 'succeeded', attemptsMade: 2, rowsWritten: 1 });
    expect(done?.checkpoint).toBeUndefined();
  });

  it('fails only the job of the code whose row in a date-wide page is malformed', async () => {
    const plane = await aDateOfCodes();
    plane.dataSource.rejectedFor = () => [{ series: '67580', reason: 'close: expected number, received string' }];
    await plane.dispatch(tick);
    await plane.work();
    const jobs = (await plane.runLedger.listJobs(runId)).items;
    const failed = jobs.filter((job) => job.status === 'failed');
    expect(failed.map((job) => job.params.code)).toEqual(['67580']);
    expect(failed[0]).toMatchObject({ deadLettered: true, lastError: { code: 'invalid_data' } });
    expect(failed[0]?.lastError?.message).toContain('close');
    expect(jobs.filter((job) => job.status === 'succeeded')).toHaveLength(3);
    const stored = await plane.marketData.queryRows(bars, { date: '2026-11-27' });
    expect(stored.items.map((row) => row.code).sort()).toEqual(['130A0', '72030', '99840']);
    expect(await plane.runLedger.getRun(runId)).toMatchObject({ status: 'partially_failed' });
  });

  it('fails every job of a date-wide page whose malformed row names no code', async () => {
    const plane = await aDateOfCodes();
    plane.dataSource.rejectedFor = () => [{ reason: 'Code: expected a string' }];
    await plane.dispatch(tick);
    await plane.work();
    expect(await plane.runLedger.getRun(runId)).toMatchObject({ status: 'failed', counters: { failed: 4 } });
  });

  it('marks a whole-market snapshot complete only once its last page is stored', async () => {
    const plane = await aDateOfCodes({ code: { $each: codes }, date: '{{businessDate}}' });
    plane.dataSource.pagesPerFetch = 2;
    plane.dataSource.failWith = (_params, page) =>
      page === 1 ? new RetryableUpstreamError('HTTP 503', { status: 503, endpoint: '/x' }) : undefined;
    await plane.dispatch(tick);
    await plane.work();
    expect(await plane.marketData.latestDate(bars)).toBe('2026-11-27');
    expect(await plane.marketData.latestCompleteDate(bars)).toBeUndefined();
    plane.dataSource.failWith = undefined;
    await plane.work();
    expect(await plane.marketData.latestCompleteDate(bars)).toBe('2026-11-27');
  });
});

describe('stored data never gets worse', () => {
  it('keeps a stored row with values when the upstream sends it again without any, and says so on the job', async () => {
    const plane = await aDateOfCodes({ code: '72030', date: '{{businessDate}}' });
    const stored = { ...aDailyBarRow('72030', '2026-11-27'), fetchedAt: '2026-11-27T08:00:00.000Z', runId: 'earlier' };
    await plane.marketData.upsertRows(bars, [stored]);
    const empty = Object.fromEntries(bars.valueFields.map((field) => [field, null]));
    plane.dataSource.rowsFor = () => [{ ...aDailyBarRow('72030', '2026-11-27'), ...empty }];
    await plane.dispatch(tick);
    await plane.work();
    const [job] = (await plane.runLedger.listJobs(runId)).items;
    expect(job).toMatchObject({ status: 'succeeded', rowsWritten: 0, rowsKept: 1 });
    const [row] = (await plane.marketData.queryRows(bars, { series: '72030' })).items;
    expect(row).toMatchObject({ close: 1.5, runId: 'earlier' });
  });
});

describe('attempts held by their lease', () => {
  it('leaves a job alone while another attempt holds it, and fetches it once', async () => {
    const plane = await aDateOfCodes({ code: '72030', date: '{{businessDate}}' });
    await plane.dispatch(tick);
    const [message] = plane.queue.drain() as [JobMessage];
    let duplicate: Promise<void> | undefined;
    plane.dataSource.failWith = () => {
      // The same message delivered again while the first attempt is mid-fetch.
      duplicate ??= plane.deliver(message);
      return undefined;
    };
    await plane.deliver(message);
    await duplicate;
    expect(plane.dataSource.calls).toHaveLength(1);
    expect(await plane.runLedger.getRun(runId)).toMatchObject({ status: 'succeeded', counters: { succeeded: 1 } });
  });

  it('runs again a job whose attempt never came back, and fails it for good once its attempts are spent that way', async () => {
    const plane = await aDateOfCodes({ code: '72030', date: '{{businessDate}}' }, { maxAttempts: 2 });
    await plane.dispatch(tick);
    const [message] = plane.queue.drain() as [JobMessage];
    const jobId = (await plane.runLedger.listJobs(runId)).items[0]?.jobId ?? '';
    for (let attempt = 0; attempt < 2; attempt++) {
      // A crash leaves the job running under a lease that ends with its invocation.
      await plane.runLedger.updateJobs(runId, [
        {
          jobId,
          event: {
            kind: 'start',
            at: plane.clock.now().toISOString(),
            holder: `crashed-${attempt}`,
            leaseExpiresAt: new Date(plane.clock.now().getTime() + 30_000).toISOString(),
          },
        },
      ]);
      plane.clock.advance(60_000);
    }
    await plane.deliver(message);
    const [job] = (await plane.runLedger.listJobs(runId)).items;
    expect(job).toMatchObject({ status: 'failed', deadLettered: true, lastError: { code: 'attempt_abandoned' } });
    expect(plane.deadLetters.letters).toHaveLength(1);
    expect(plane.dataSource.calls).toHaveLength(0);
  });
});

describe('waiting on the rate limit', () => {
  it('counts a job that keeps waiting an hour without a page as stalled', async () => {
    const plane = await aDateOfCodes({ code: '72030', date: '{{businessDate}}' });
    plane.rateLimiter.deferMs = 15 * 60_000;
    await plane.dispatch(tick);
    for (let round = 0; round < 6; round++) {
      await plane.work();
      plane.clock.advance(15 * 60_000);
    }
    expect(plane.metrics.total(metricNames.jobsStalled)).toBeGreaterThan(0);
    expect((await plane.runLedger.listJobs(runId)).items[0]).toMatchObject({ waitingFor: 'rate-limit', deferrals: 6 });
  });
});
