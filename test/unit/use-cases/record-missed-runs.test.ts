import { describe, expect, it } from 'vitest';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { silentLog } from '#shared/observability/logger.ts';
import { recordMissedRuns } from '#shared/use-cases/record-missed-runs.ts';
import { aJobGroup, aRun } from '#test/fixtures/builders.ts';
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
