import { describe, expect, it } from 'vitest';
import { silentLog } from '#shared/observability/logger.ts';
import { recordMissedRuns } from '#shared/use-cases/record-missed-runs.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { InMemoryJobGroupStore } from '#test/fakes/in-memory-job-group-store.ts';
import { InMemoryRunLedger } from '#test/fakes/in-memory-run-ledger.ts';
import { aJobGroup, aRun } from '#test/fixtures/builders.ts';

async function setUp(group = aJobGroup({ updatedAt: '2026-11-24T00:00:00.000Z' })) {
  const groupStore = new InMemoryJobGroupStore();
  const runLedger = new InMemoryRunLedger();
  // Friday 2026-11-27 18:00 JST: Thursday's and Friday's 17:30 ticks are due.
  const clock = new FakeClock('2026-11-27T09:00:00.000Z');
  await groupStore.create(group);
  return { groupStore, runLedger, clock, deps: { groupStore, runLedger, clock, log: silentLog } };
}

describe('missed-run watchdog', () => {
  it('records every passed fire time without a run as missed, once', async () => {
    const { runLedger, deps } = await setUp();
    await runLedger.claimRun(aRun({ runId: 'daily-bars.20261126T083000Z', scheduledTime: '2026-11-26T08:30:00.000Z' }));
    const report = await recordMissedRuns(deps);
    expect(report).toEqual({ missed: ['daily-bars.20261127T083000Z'], skipped: [] });
    expect(await runLedger.getRun('daily-bars.20261127T083000Z')).toMatchObject({
      status: 'missed',
      businessDate: '2026-11-27',
      trigger: 'scheduled',
    });
    expect(await recordMissedRuns(deps)).toEqual({ missed: [], skipped: [] });
  });

  it('records the ticks of a paused group as skipped with the pause reason', async () => {
    const pause = { reason: 'vendor maintenance', pausedAt: '2026-11-26T00:00:00.000Z' };
    const { runLedger, deps } = await setUp(aJobGroup({ pause, updatedAt: '2026-11-26T00:00:00.000Z' }));
    expect(await recordMissedRuns(deps)).toEqual({
      missed: [],
      skipped: ['daily-bars.20261127T083000Z'],
    });
    expect((await runLedger.getRun('daily-bars.20261127T083000Z'))?.reason).toBe('group paused: vendor maintenance');
  });

  it('gives a tick its grace period and judges nothing before the group last changed', async () => {
    const { deps, clock } = await setUp(aJobGroup({ updatedAt: '2026-11-27T00:00:00.000Z' }));
    clock.set('2026-11-27T08:40:00.000Z');
    expect(await recordMissedRuns(deps)).toEqual({ missed: [], skipped: [] });
    clock.set('2026-11-27T08:46:00.000Z');
    expect((await recordMissedRuns(deps)).missed).toEqual(['daily-bars.20261127T083000Z']);
  });

  it('ignores disabled groups', async () => {
    const { deps } = await setUp(aJobGroup({ enabled: false, updatedAt: '2026-11-24T00:00:00.000Z' }));
    expect(await recordMissedRuns(deps)).toEqual({ missed: [], skipped: [] });
  });
});
