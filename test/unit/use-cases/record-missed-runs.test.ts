import { describe, expect, it } from 'vitest';
import { requireDataset } from '#shared/datasets/registry.ts';
import { fireTimesBetween, parseCron } from '#shared/domain/cron.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { scheduledRunId } from '#shared/domain/run.ts';
import { silentLog } from '#shared/observability/logger.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import { recordMissedRuns } from '#shared/use-cases/record-missed-runs.ts';
import { aCalendarDay, aJobGroup, aRun } from '#test/fixtures/builders.ts';
import { aDataPlane } from '#test/fixtures/data-plane-harness.ts';

const nothing = { missed: [], skipped: [], caughtUp: [] };
// Friday 2026-11-27 18:00 JST: the 17:00, 17:15 and 17:30 ticks of the last day (the lookback) are due.
const at1700 = 'daily-bars.20261127T080000Z';
const at1715 = 'daily-bars.20261127T081500Z';
const at1730 = 'daily-bars.20261127T083000Z';

async function setUp(overrides: Partial<JobGroup> = {}) {
  const plane = aDataPlane();
  plane.clock.set('2026-11-27T09:00:00.000Z');
  await plane.groupStore.create(
    aJobGroup({
      schedule: '0,15,30 17 * * 1-5',
      updatedAt: '2026-11-25T00:00:00.000Z',
      parametersTemplate: { code: '72030', date: '{{businessDate}}' },
      ...overrides,
    }),
  );
  return { plane, watch: () => recordMissedRuns({ ...plane, log: silentLog }) };
}

describe('missed-run watchdog', () => {
  it('records every passed fire time without a run as missed, once (catch-up none)', async () => {
    const { plane, watch } = await setUp();
    await plane.runLedger.claimRun(aRun({ runId: at1715, scheduledTime: '2026-11-27T08:15:00.000Z' }));
    expect(await watch()).toEqual({ ...nothing, missed: [at1700, at1730] });
    expect(await plane.runLedger.getRun(at1730)).toMatchObject({
      status: 'missed',
      businessDate: '2026-11-27',
      trigger: 'scheduled',
    });
    expect(await watch()).toEqual(nothing);
    expect(plane.queue.messages).toHaveLength(0);
  });

  it('records the ticks of a paused group as skipped with the pause reason, whatever its catch-up policy', async () => {
    const pause = { reason: 'vendor maintenance', pausedAt: '2026-11-26T00:00:00.000Z' };
    const { plane, watch } = await setUp({ pause, catchUp: 'all' });
    expect(await watch()).toEqual({ ...nothing, skipped: [at1700, at1715, at1730] });
    expect((await plane.runLedger.getRun(at1730))?.reason).toBe('group paused: vendor maintenance');
    expect(plane.queue.messages).toHaveLength(0);
  });

  it('records a missed tick on a JPX holiday as skipped market-holiday, and asks for its dependents', async () => {
    const { plane, watch } = await setUp();
    // The stored calendar says Friday 2026-11-27 is closed (as if it were a holiday).
    await plane.marketData.upsertRows(requireDataset('jquants.markets.calendar'), [aCalendarDay('2026-11-27', '0')]);
    expect(await watch()).toEqual({ ...nothing, skipped: [at1700, at1715, at1730] });
    expect(await plane.runLedger.getRun(at1730)).toMatchObject({ status: 'skipped', reason: 'market-holiday' });
    expect(plane.steps.takeDependents()).toEqual([{ groupId: 'daily-bars', businessDate: '2026-11-27' }]);
    // A group that follows no calendar misses them.
    const other = await setUp({ calendar: 'none' });
    await other.plane.marketData.upsertRows(requireDataset('jquants.markets.calendar'), [
      aCalendarDay('2026-11-27', '0'),
    ]);
    expect((await other.watch()).missed).toEqual([at1700, at1715, at1730]);
  });

  it('catches up the latest missed fire time that can run under catch-up latest, never a holiday', async () => {
    // Friday's ticks were missed, and so was Monday 2026-11-30's, a day the stored calendar marks closed.
    const { plane, watch } = await setUp({ schedule: '30 17 * * 1-5', catchUp: 'latest', catchUpWindow: 'P7D' });
    plane.clock.set('2026-11-30T09:00:00.000Z');
    await plane.marketData.upsertRows(requireDataset('jquants.markets.calendar'), [
      ...['2026-11-25', '2026-11-26', '2026-11-27'].map((date) => aCalendarDay(date, '1')),
      ...['2026-11-28', '2026-11-29', '2026-11-30'].map((date) => aCalendarDay(date, '0')),
    ]);
    const report = await watch();
    expect(report.caughtUp).toEqual(['daily-bars.20261127T083000Z']);
    expect(await plane.runLedger.getRun('daily-bars.20261130T083000Z')).toMatchObject({
      status: 'skipped',
      reason: 'market-holiday',
    });
  });

  it('gives a tick its grace period and judges nothing before the group last changed', async () => {
    const { plane, watch } = await setUp({ schedule: '30 17 * * 1-5', updatedAt: '2026-11-27T00:00:00.000Z' });
    plane.clock.set('2026-11-27T08:40:00.000Z');
    expect(await watch()).toEqual(nothing);
    plane.clock.set('2026-11-27T08:46:00.000Z');
    expect((await watch()).missed).toEqual([at1730]);
  });

  it('ignores disabled groups', async () => {
    const { watch } = await setUp({ enabled: false });
    expect(await watch()).toEqual(nothing);
  });

  it('runs only the most recent missed fire time under catch-up latest, and records the older ones missed', async () => {
    const { plane, watch } = await setUp({ catchUp: 'latest' });
    expect(await watch()).toEqual({ ...nothing, missed: [at1700, at1715], caughtUp: [at1730] });
    expect(await plane.runLedger.getRun(at1730)).toMatchObject({
      status: 'running',
      trigger: 'scheduled',
      businessDate: '2026-11-27',
      counters: { total: 1 },
    });
    expect(plane.queue.messages).toHaveLength(1);
    await plane.work();
    expect(await plane.runLedger.getRun(at1730)).toMatchObject({ status: 'succeeded' });
    expect(await watch()).toEqual(nothing);
  });

  it('runs every missed fire time under catch-up all, side by side despite overlap skip', async () => {
    const { plane, watch } = await setUp({ catchUp: 'all', overlap: 'skip' });
    expect(await watch()).toEqual({ ...nothing, caughtUp: [at1700, at1715, at1730] });
    expect(plane.queue.messages.map(({ message }) => message.runId)).toEqual([at1700, at1715, at1730]);
    await plane.work();
    for (const runId of [at1700, at1715, at1730]) {
      expect(await plane.runLedger.getRun(runId)).toMatchObject({ status: 'succeeded' });
    }
  });

  it('reports a catch-up that the overlap policy skips as skipped', async () => {
    const { plane, watch } = await setUp({ catchUp: 'latest', overlap: 'skip' });
    await plane.runLedger.claimRun(aRun({ runId: 'daily-bars.manual-1', status: 'running' }));
    expect(await watch()).toEqual({ ...nothing, missed: [at1700, at1715], skipped: [at1730] });
    expect((await plane.runLedger.getRun(at1730))?.reason).toContain('overlap');
    expect(plane.queue.messages).toHaveLength(0);
  });

  it('leaves a tick that arrives after its catch-up with nothing to do', async () => {
    const { plane, watch } = await setUp({ catchUp: 'latest' });
    await watch();
    expect(await plane.dispatch({ groupId: 'daily-bars', scheduledTime: '2026-11-27T08:30:00.000Z' })).toMatchObject({
      outcome: 'duplicate',
    });
    expect(plane.queue.messages).toHaveLength(1);
  });
});

describe('missed-run watchdog: the catch-up window', () => {
  // The feed was down from Wednesday 2026-11-25 18:00 JST, after that day's ticks ran, to Friday 18:00 JST: Thursday's
  // and Friday's ticks never arrived, two days of them.
  const wednesday = ['daily-bars.20261125T080000Z', 'daily-bars.20261125T081500Z', 'daily-bars.20261125T083000Z'];
  const thursday = ['daily-bars.20261126T080000Z', 'daily-bars.20261126T081500Z', 'daily-bars.20261126T083000Z'];
  const friday = [at1700, at1715, at1730];

  async function afterTwoDaysDown(overrides: Partial<JobGroup>) {
    const setup = await setUp({ updatedAt: '2026-11-20T00:00:00.000Z', catchUpWindow: 'P3D', ...overrides });
    for (const runId of wednesday) {
      const scheduledTime = `2026-11-25T08:${runId.slice(-5, -3)}:00.000Z`;
      await setup.plane.runLedger.claimRun(
        aRun({ runId, scheduledTime, businessDate: '2026-11-25', status: 'succeeded' }),
      );
    }
    return setup;
  }

  it('dispatches every tick of a two-day outage under catch-up all', async () => {
    const { plane, watch } = await afterTwoDaysDown({ catchUp: 'all' });
    expect(await watch()).toEqual({ ...nothing, caughtUp: [...thursday, ...friday] });
    expect(plane.queue.messages.map(({ message }) => message.runId)).toEqual([...thursday, ...friday]);
    expect(await plane.runLedger.getRun(thursday[0] ?? '')).toMatchObject({
      status: 'running',
      trigger: 'scheduled',
      businessDate: '2026-11-26',
    });
    expect((await plane.runLedger.getRun(wednesday[0] ?? ''))?.status).toBe('succeeded');
    expect(await watch()).toEqual(nothing);
  });

  it('dispatches the last tick of a two-day outage under catch-up latest and records the rest missed', async () => {
    const { plane, watch } = await afterTwoDaysDown({ catchUp: 'latest' });
    expect(await watch()).toEqual({ ...nothing, missed: [...thursday, at1700, at1715], caughtUp: [at1730] });
    expect(plane.queue.messages.map(({ message }) => message.runId)).toEqual([at1730]);
    expect(await watch()).toEqual(nothing);
  });

  it('records every tick of a two-day outage missed under catch-up none', async () => {
    const { plane, watch } = await afterTwoDaysDown({ catchUp: 'none' });
    expect(await watch()).toEqual({ ...nothing, missed: [...thursday, ...friday] });
    expect(await plane.runLedger.getRun(thursday[2] ?? '')).toMatchObject({
      status: 'missed',
      businessDate: '2026-11-26',
    });
    expect(plane.queue.messages).toHaveLength(0);
  });

  it('judges only the last day under the default window of P1D', async () => {
    const { watch } = await afterTwoDaysDown({ catchUp: 'none', catchUpWindow: 'P1D' });
    expect(await watch()).toEqual({ ...nothing, missed: friday });
  });

  it('never reaches before the group last changed, however long its window', async () => {
    // Changed on Thursday at 17:10 JST: Thursday's 17:00 tick came before it and is not the group's to miss.
    const { watch } = await afterTwoDaysDown({ catchUpWindow: 'P7D', updatedAt: '2026-11-26T08:10:00.000Z' });
    expect(await watch()).toEqual({ ...nothing, missed: [thursday[1], thursday[2], ...friday] });
  });

  it('judges all 2,016 ticks of a 5-minute cron over P7D in one pass, reading runs a page at a time', async () => {
    const { plane } = await setUp({
      schedule: '*/5 * * * *',
      catchUpWindow: 'P7D',
      updatedAt: '2026-11-01T00:00:00.000Z',
    });
    const now = plane.clock.now();
    const ticks = fireTimesBetween(parseCron('*/5 * * * *'), 'Asia/Tokyo', {
      after: new Date(now.getTime() - 7 * 86_400_000),
      until: now,
    });
    expect(ticks).toHaveLength(2016);
    // Every other tick of the week ran, and a manual run sits among them.
    const ran = ticks.filter((_, index) => index % 2 === 0).map((tick) => tick.toISOString());
    for (const scheduledTime of ran) {
      await plane.runLedger.claimRun(aRun({ runId: scheduledRunId('daily-bars', scheduledTime), scheduledTime }));
    }
    await plane.runLedger.claimRun(aRun({ runId: 'daily-bars.manual-1', scheduledTime: '2026-11-24T00:00:00.000Z' }));
    const calls = countCalls(plane.runLedger);
    const watched = { ...plane, runLedger: calls.ledger, log: silentLog };

    const report = await recordMissedRuns(watched);

    // The last three ticks are within the grace period.
    const judged = ticks.filter((tick) => tick.getTime() <= now.getTime() - 15 * 60_000);
    const unrun = judged.filter((_, index) => index % 2 === 1);
    expect(report.missed).toEqual(unrun.map((tick) => scheduledRunId('daily-bars', tick.toISOString())));
    expect(report.missed).toHaveLength(1006);
    expect(calls.count('getRun')).toBe(0);
    expect(calls.count('listRuns')).toBeLessThanOrEqual(3);

    expect(await recordMissedRuns(watched)).toEqual(nothing);
    expect(calls.count('claimRun')).toBe(1006);
  });

  it('judges many groups in one pass, each in its own report order', async () => {
    const { plane, watch } = await setUp();
    for (const id of ['bars-a', 'bars-b', 'bars-c', 'bars-d', 'bars-e', 'bars-f', 'bars-g', 'bars-h', 'bars-i']) {
      await plane.groupStore.create(
        aJobGroup({ id, schedule: '30 17 * * 1-5', updatedAt: '2026-11-25T00:00:00.000Z' }),
      );
    }
    const report = await watch();
    expect(report.missed).toEqual([
      ...['bars-a', 'bars-b', 'bars-c', 'bars-d', 'bars-e', 'bars-f', 'bars-g', 'bars-h', 'bars-i'].map(
        (id) => `${id}.20261127T083000Z`,
      ),
      at1700,
      at1715,
      at1730,
    ]);
  });
});

/** The ledger with a count of the calls of each method. */
function countCalls(ledger: RunLedger): { ledger: RunLedger; count: (method: keyof RunLedger) => number } {
  const counts = new Map<string, number>();
  const counted = new Proxy(ledger, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counts.set(String(property), (counts.get(String(property)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { ledger: counted, count: (method) => counts.get(method) ?? 0 };
}
