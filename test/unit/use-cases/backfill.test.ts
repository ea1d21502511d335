import { describe, expect, it } from 'vitest';
import { requireDataset } from '#shared/datasets/registry.ts';
import { backfillRunId, calendarRunId, rangesRunId } from '#shared/domain/backfill.ts';
import { addDays, isWeekend } from '#shared/domain/calendar-date.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { CredentialsError } from '#shared/ports/upstream-errors.ts';
import { cancelBackfill } from '#shared/use-cases/cancel-backfill.ts';
import { aDailyBarRow, aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlane } from '#test/fixtures/data-plane-harness.ts';

/** A JPX holiday inside the range: 2026-11-23 (Labour Thanksgiving Day), a Monday. */
const holiday = '2026-11-23';
const from = '2026-11-16';
const to = '2026-11-30';
const bars = requireDataset('jquants.equities.bars.daily');

/** Every day of a range with its JPX holiday division: weekends and the holiday closed. */
function calendarRows(params: Readonly<Record<string, unknown>>): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let day = String(params.from); day <= String(params.to); day = addDays(day, 1)) {
    rows.push({ date: day, holidayDivision: isWeekend(day) || day === holiday ? '0' : '1' });
  }
  return rows;
}

/** The business days of the range: 11 weekdays, one of them the holiday. */
const businessDays = [
  '2026-11-16',
  '2026-11-17',
  '2026-11-18',
  '2026-11-19',
  '2026-11-20',
  '2026-11-24',
  '2026-11-25',
  '2026-11-26',
  '2026-11-27',
  '2026-11-30',
];

async function aPlane(codes: readonly string[], overrides: Parameters<typeof aJobGroup>[0] = {}) {
  const plane = aDataPlane();
  // Free-plan dates are at least 12 weeks old: the clock stands well after the range.
  plane.clock.advance(120 * 86_400_000);
  await plane.settingsStore.put(
    { id: 'jquants', plan: 'premium', updatedAt: '2026-11-27T00:00:00.000Z', version: 1 },
    0,
  );
  await plane.groupStore.create(
    aJobGroup({
      id: 'bars',
      parametersTemplate: { code: { $each: [...codes] }, date: '{{businessDate}}' },
      ...overrides,
    }),
  );
  plane.dataSource.rowsFor = (params) => {
    if (params.code === undefined && params.date === undefined) return calendarRows(params);
    const dates =
      params.date !== undefined
        ? [String(params.date)]
        : businessDays.filter((day) => day >= String(params.from) && day <= String(params.to));
    return dates.flatMap((date) =>
      codes.filter((code) => params.code === undefined || params.code === code).map((code) => aDailyBarRow(code, date)),
    );
  };
  /** Takes steps and works the queue until the backfill has nothing left to do. */
  const runToTheEnd = async (): Promise<void> => {
    for (let round = 0; round < 200; round++) {
      const steps = await plane.stepBackfills();
      const messages = plane.queue.messages.length;
      await plane.work();
      if (steps === 0 && messages === 0) return;
    }
    throw new Error('the backfill never settled');
  };
  return { ...plane, runToTheEnd };
}

describe('backfills', () => {
  it('fetches the JPX calendar first, then one run per business date, each code once over the range', async () => {
    const codes = ['72030', '67580', '130A0'];
    const plane = await aPlane(codes);
    const backfill = await plane.startBackfill('bars', { from, to });
    await plane.runToTheEnd();
    // Three codes over ten dates: three range requests beat ten date-wide ones.
    expect(plane.dataSource.calls.map((call) => call.dataset)).toEqual([
      'jquants.markets.calendar',
      ...codes.map(() => 'jquants.equities.bars.daily'),
    ]);
    const done = await plane.backfillStore.get(backfill.backfillId);
    expect(done).toMatchObject({
      status: 'succeeded',
      plan: { mode: 'ranges', dates: businessDays, skipped: 0, plannedRequests: 3 },
      progress: {
        done: 10,
        failed: 0,
        jobs: { total: 30, succeeded: 30, failed: 0 },
        rowsWritten: 30,
        upstreamRequests: 4,
      },
    });
    for (const date of businessDays) {
      const run = await plane.runLedger.getRun(backfillRunId(backfill.backfillId, date));
      expect(run, date).toMatchObject({
        trigger: 'backfill',
        businessDate: date,
        status: 'succeeded',
        rowsWritten: 3,
        counters: { total: 3, succeeded: 3 },
      });
    }
    expect(await plane.runLedger.getRun(backfillRunId(backfill.backfillId, holiday))).toBeUndefined();
    // Each row carries the run of its own date.
    const stored = await plane.marketData.queryRows(bars, { date: '2026-11-24' });
    expect(stored.items.map((row) => row.runId)).toEqual(
      codes.map(() => backfillRunId(backfill.backfillId, '2026-11-24')),
    );
    // Each code is listed as a job of every date's run, with the rows of that date.
    const jobs = (await plane.runLedger.listJobs(backfillRunId(backfill.backfillId, '2026-11-24'))).items;
    expect(jobs.map((job) => [job.params, job.status, job.rowsWritten])).toEqual(
      expect.arrayContaining(codes.map((code) => [{ code, date: '2026-11-24' }, 'succeeded', 1])),
    );
    expect((await plane.runLedger.getRun(rangesRunId(backfill.backfillId)))?.status).toBe('succeeded');
    expect((await plane.runLedger.getRun(calendarRunId(backfill.backfillId)))?.status).toBe('succeeded');
  });

  it('records the dates of a range request over many codes, each code a job of every date', async () => {
    const codes = Array.from({ length: 12 }, (_, index) => `${2000 + index}0`);
    const plane = await aPlane(codes);
    // Twenty business days of November: twelve range requests beat twenty date-wide ones.
    const backfill = await plane.startBackfill('bars', { from: '2026-11-02', to: to });
    await plane.runToTheEnd();
    const done = await plane.backfillStore.get(backfill.backfillId);
    expect(done).toMatchObject({ status: 'succeeded', plan: { mode: 'ranges', plannedRequests: 12 } });
    expect(done?.progress).toMatchObject({ failed: 0, jobs: { failed: 0 } });
    expect(await plane.runLedger.getRun(backfillRunId(backfill.backfillId, '2026-11-24'))).toMatchObject({
      status: 'succeeded',
      counters: { total: 12, succeeded: 12 },
      rowsWritten: 12,
    });
  });

  it('runs the dependent groups of each date in the backfill, and counts them in its progress', async () => {
    const plane = await aPlane(['72030', '67580']);
    await plane.groupStore.create(
      aJobGroup({
        id: 'analysis',
        schedule: null,
        dependsOn: ['bars'],
        parametersTemplate: { code: '72030', date: '{{businessDate}}' },
      }),
    );
    const backfill = await plane.startBackfill('bars', { from: '2026-11-24', to: '2026-11-26' });
    await plane.runToTheEnd();
    const done = await plane.backfillStore.get(backfill.backfillId);
    expect(done).toMatchObject({
      status: 'succeeded',
      dependents: [],
      progress: { done: 3, dependents: { done: 3, failed: 0 }, jobs: { total: 9, succeeded: 9 } },
    });
    const runs = await plane.runLedger.listRunsOfDates('analysis', { from: '2026-11-24', to: '2026-11-26' });
    expect(runs.map((run) => [run.businessDate, run.trigger, run.backfillId, run.status])).toEqual(
      ['2026-11-24', '2026-11-25', '2026-11-26'].map((date) => [date, 'backfill', backfill.backfillId, 'succeeded']),
    );
  });

  it("starts a date's dependents all the same when a step dies while recording them", async () => {
    const plane = await aPlane(['72030', '67580']);
    await plane.groupStore.create(
      aJobGroup({
        id: 'analysis',
        schedule: null,
        dependsOn: ['bars'],
        parametersTemplate: { code: '72030', date: '{{businessDate}}' },
      }),
    );
    const backfill = await plane.startBackfill('bars', { from: '2026-11-24', to: '2026-11-26' });
    // The first time a date's dependents are recorded, the step dies just before the write.
    const update = plane.backfillStore.update.bind(plane.backfillStore);
    let crashed = false;
    plane.backfillStore.update = async (id, event) => {
      if (event.kind === 'dependents-started' && !crashed) {
        crashed = true;
        throw new Error('the step died');
      }
      return update(id, event);
    };
    await expect(plane.runToTheEnd()).rejects.toThrow('the step died');
    // The reconciler asks every open backfill for a step again.
    await plane.steps.backfill(backfill.backfillId);
    await plane.runToTheEnd();
    expect(await plane.backfillStore.get(backfill.backfillId)).toMatchObject({
      status: 'succeeded',
      progress: { done: 3, dependents: { done: 3, failed: 0 } },
    });
    const runs = await plane.runLedger.listRunsOfDates('analysis', { from: '2026-11-24', to: '2026-11-26' });
    expect(runs.map((run) => [run.businessDate, run.status])).toEqual(
      ['2026-11-24', '2026-11-25', '2026-11-26'].map((date) => [date, 'succeeded']),
    );
  });

  it('costs nothing the second time: every date already has a succeeded run', async () => {
    const plane = await aPlane(['72030', '67580']);
    await plane.startBackfill('bars', { from, to });
    await plane.runToTheEnd();
    const requests = plane.dataSource.calls.length;
    const again = await plane.startBackfill('bars', { from, to });
    await plane.runToTheEnd();
    expect(plane.dataSource.calls).toHaveLength(requests);
    expect(await plane.backfillStore.get(again.backfillId)).toMatchObject({
      status: 'succeeded',
      plan: { dates: [], skipped: 10, plannedRequests: 0 },
    });
    const forced = await plane.startBackfill('bars', { from: '2026-11-24', to: '2026-11-25', force: true });
    await plane.runToTheEnd();
    expect(await plane.backfillStore.get(forced.backfillId)).toMatchObject({
      status: 'succeeded',
      plan: { dates: ['2026-11-24', '2026-11-25'] },
    });
  });

  it('fetches date-wide, a few dates at a time, in the background lane, when there are more codes than dates', async () => {
    const codes = Array.from({ length: 12 }, (_, index) => `${1000 + index}0`);
    const plane = await aPlane(codes);
    const backfill = await plane.startBackfill('bars', { from, to });
    await plane.runToTheEnd();
    const done = await plane.backfillStore.get(backfill.backfillId);
    expect(done).toMatchObject({
      status: 'succeeded',
      plan: { mode: 'dates', plannedRequests: 10 },
      progress: { done: 10, jobs: { total: 120, succeeded: 120 }, rowsWritten: 120, upstreamRequests: 11 },
    });
    expect(plane.dataSource.calls.filter((call) => call.dataset === bars.id).map((call) => call.params)).toEqual(
      businessDays.map((date) => ({ date })),
    );
    expect(plane.rateLimiter.acquired.filter((grant) => grant.background)).toHaveLength(11);
  });

  it('records a failed code on every date of its range request, and the backfill as partially failed', async () => {
    const plane = await aPlane(['72030', '67580']);
    plane.dataSource.failWith = (params) =>
      params.code === '67580'
        ? new CredentialsError('HTTP 403', { status: 403, endpoint: '/equities/bars/daily' })
        : undefined;
    const backfill = await plane.startBackfill('bars', { from, to });
    await plane.runToTheEnd();
    const done = await plane.backfillStore.get(backfill.backfillId);
    expect(done).toMatchObject({
      status: 'partially_failed',
      progress: { done: 0, failed: 10, jobs: { succeeded: 10, failed: 10 } },
    });
    expect(done?.failures[0]).toMatchObject({ date: from, error: { code: 'upstream_credentials' } });
    expect(await plane.runLedger.getRun(backfillRunId(backfill.backfillId, from))).toMatchObject({
      status: 'partially_failed',
      counters: { succeeded: 1, failed: 1 },
    });
  });

  it('goes on after a step that died midway, each date run once', async () => {
    const codes = Array.from({ length: 12 }, (_, index) => `${1000 + index}0`);
    const plane = await aPlane(codes);
    const backfill = await plane.startBackfill('bars', { from, to });
    await plane.stepBackfills();
    await plane.work();
    // The step dies after dispatching two dates, before recording that it started them.
    let dispatched = 0;
    const send = plane.queue.send.bind(plane.queue);
    plane.queue.send = async (messages, options) => {
      if (++dispatched > 2) throw new Error('the step was killed');
      return send(messages, options);
    };
    await expect(plane.stepBackfills()).rejects.toThrow('killed');
    plane.queue.send = send;
    // The queue brings the step back; the reconciler asks for one too.
    plane.steps.requested.push(backfill.backfillId);
    await plane.runToTheEnd();
    const done = await plane.backfillStore.get(backfill.backfillId);
    expect(done).toMatchObject({ status: 'succeeded', progress: { done: 10, jobs: { total: 120, succeeded: 120 } } });
    expect(plane.dataSource.calls.filter((call) => call.dataset === bars.id)).toHaveLength(10);
    const runs = (await plane.runLedger.listRuns('bars')).items.filter((run) =>
      run.runId.startsWith(`${backfill.backfillId}.2`),
    );
    expect(runs).toHaveLength(10);
  });

  it('stops for good when cancelled: its runs still going fail, and no more start', async () => {
    const codes = Array.from({ length: 12 }, (_, index) => `${1000 + index}0`);
    const plane = await aPlane(codes);
    const backfill = await plane.startBackfill('bars', { from, to });
    await plane.stepBackfills();
    await plane.work();
    await plane.stepBackfills();
    const going = await plane.backfillStore.get(backfill.backfillId);
    expect(going?.inFlight.length).toBeGreaterThan(0);
    const { backfill: cancelled } = await cancelBackfill(backfill.backfillId, {
      ...plane,
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
    expect(cancelled.status).toBe('cancelled');
    plane.queue.drain();
    await plane.runToTheEnd();
    const runs = await Promise.all(
      (going?.inFlight ?? []).map((date) => plane.runLedger.getRun(backfillRunId(backfill.backfillId, date))),
    );
    expect(runs.every((run) => run?.status === 'failed')).toBe(true);
    const [job] = (await plane.runLedger.listJobs(backfillRunId(backfill.backfillId, going?.inFlight[0] ?? ''))).items;
    expect(job?.lastError?.code).toBe('backfill_cancelled');
    expect(await plane.backfillStore.get(backfill.backfillId)).toMatchObject({
      status: 'cancelled',
      started: going?.started,
    });
    expect(
      (await cancelBackfill(backfill.backfillId, { ...plane, log: { debug() {}, info() {}, warn() {}, error() {} } }))
        .finished,
    ).toBe(true);
  });

  it('refuses a range outside the plan window, naming the window', async () => {
    const plane = await aPlane(['72030']);
    await plane.settingsStore.put(
      { id: 'jquants', plan: 'free', updatedAt: '2026-11-27T00:00:00.000Z', version: 2 },
      1,
    );
    // Today is 2027-03-27 on the plane's clock: Free serves 2025-03-27…2027-01-02.
    const outside = plane.startBackfill('bars', { from: '2024-01-01', to: '2024-01-31' });
    await expect(outside).rejects.toBeInstanceOf(ValidationError);
    await expect(outside).rejects.toThrow(/free plan serves 2025-03-27…2027-01-02/);
    await expect(plane.startBackfill('bars', { from: '2027-01-01', to: '2027-01-10' })).rejects.toThrow(/outside/);
    expect(plane.steps.requested).toEqual([]);
  });

  it('fails a job for dates outside the plan with outside_plan, never marking the credentials failing', async () => {
    const plane = await aPlane(['72030']);
    await plane.settingsStore.put(
      { id: 'jquants', plan: 'free', updatedAt: '2026-11-27T00:00:00.000Z', version: 2 },
      1,
    );
    plane.dataSource.failWith = () =>
      new CredentialsError('HTTP 403', { status: 403, endpoint: '/equities/bars/daily' });
    await plane.groupStore.create(aJobGroup({ id: 'old', parametersTemplate: { code: '72030', date: '2020-01-06' } }));
    await plane.dispatch({ groupId: 'old', scheduledTime: plane.clock.now().toISOString(), trigger: 'manual' });
    await plane.work();
    const [run] = (await plane.runLedger.listRuns('old')).items;
    const [job] = (await plane.runLedger.listJobs(run?.runId ?? '')).items;
    expect(job?.lastError).toMatchObject({ code: 'outside_plan', message: expect.stringContaining('free plan') });
    expect((await plane.settingsStore.getHealth('jquants'))?.status).not.toBe('failing');
  });
});
