import { describe, expect, it } from 'vitest';
import { silentLog } from '#shared/observability/logger.ts';
import type { ScheduleStore } from '#shared/ports/schedule-store.ts';
import { reconcileSchedules } from '#shared/use-cases/reconcile-schedules.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { InMemoryJobGroupStore } from '#test/fakes/in-memory-job-group-store.ts';
import { InMemoryScheduleStore } from '#test/fakes/in-memory-schedule-store.ts';
import { aJobGroup, scheduleOf } from '#test/fixtures/builders.ts';

async function setUp() {
  const groupStore = new InMemoryJobGroupStore();
  const scheduleStore = new InMemoryScheduleStore();
  const clock = new FakeClock('2026-11-27T00:00:00.000Z');
  return { groupStore, scheduleStore, clock, deps: { groupStore, scheduleStore, clock, log: silentLog } };
}

describe('reconcileSchedules', () => {
  it('creates missing schedules, replaces stale ones and deletes orphans', async () => {
    const { groupStore, scheduleStore, deps } = await setUp();
    const missing = aJobGroup({ id: 'missing' });
    const stale = aJobGroup({ id: 'stale', schedule: '0 9 * * *' });
    const drifted = aJobGroup({ id: 'drifted' });
    const fine = aJobGroup({ id: 'fine' });
    for (const group of [missing, stale, drifted, fine]) await groupStore.create(group);
    await scheduleStore.upsert({ ...scheduleOf(stale), expression: 'cron(0 8 * * ? *)' });
    await scheduleStore.upsert(scheduleOf(drifted));
    scheduleStore.corruptTarget('drifted');
    await scheduleStore.upsert(scheduleOf(fine));
    await scheduleStore.upsert({ ...scheduleOf(fine), groupId: 'orphan' });

    const report = await reconcileSchedules(deps);

    expect(report).toEqual({
      created: ['missing'],
      updated: ['drifted', 'stale'],
      deleted: ['orphan'],
      resumed: [],
      failed: [],
      unreadable: [],
    });
    for (const group of [missing, stale, drifted, fine]) {
      expect(await scheduleStore.get(group.id)).toEqual({ ...scheduleOf(group), targetMatches: true });
    }
    expect(await scheduleStore.get('orphan')).toBeUndefined();
  });

  it('changes nothing when groups and schedules agree', async () => {
    const { groupStore, scheduleStore, deps } = await setUp();
    const group = aJobGroup();
    await groupStore.create(group);
    await scheduleStore.upsert(scheduleOf(group));
    expect(await reconcileSchedules(deps)).toEqual({
      created: [],
      updated: [],
      deleted: [],
      resumed: [],
      failed: [],
      unreadable: [],
    });
  });

  it('resumes a group whose pause has expired and enables its schedule', async () => {
    const { groupStore, scheduleStore, clock, deps } = await setUp();
    const pause = { reason: 'maintenance', until: '2026-11-27T06:00:00.000Z', pausedAt: '2026-11-26T00:00:00.000Z' };
    const group = aJobGroup({ pause });
    await groupStore.create(group);
    await scheduleStore.upsert(scheduleOf(group));
    expect((await scheduleStore.get(group.id))?.state).toBe('DISABLED');

    expect((await reconcileSchedules(deps)).resumed).toEqual([]);
    clock.set('2026-11-27T06:00:00.000Z');
    const report = await reconcileSchedules(deps);

    expect(report.resumed).toEqual(['daily-bars']);
    expect(await groupStore.get(group.id)).toMatchObject({ pause: null, version: 2 });
    expect((await scheduleStore.get(group.id))?.state).toBe('ENABLED');
  });

  it('repairs the other groups when one cannot be repaired', async () => {
    const { groupStore, scheduleStore, deps } = await setUp();
    await groupStore.create(aJobGroup({ id: 'broken', schedule: 'not a cron' }));
    await groupStore.create(aJobGroup({ id: 'fine' }));
    const report = await reconcileSchedules(deps);
    expect(report.failed).toEqual(['broken']);
    expect(report.created).toEqual(['fine']);
    expect(await scheduleStore.get('fine')).toBeDefined();
  });

  it('reports and logs a group that cannot be read, keeps its schedule and repairs the others', async () => {
    const { groupStore, scheduleStore, deps } = await setUp();
    const corrupt = aJobGroup({ id: 'corrupt' });
    await groupStore.putRawItem({ ...corrupt, schedule: 1730 });
    await scheduleStore.upsert(scheduleOf(corrupt));
    await groupStore.create(aJobGroup({ id: 'fine' }));
    const errors: { message: string; data: unknown }[] = [];
    const log = { ...silentLog, error: (message: string, data?: unknown) => errors.push({ message, data }) };

    const report = await reconcileSchedules({ ...deps, log });

    expect(report).toMatchObject({ created: ['fine'], deleted: [], failed: [] });
    expect(report.unreadable).toEqual([{ id: 'corrupt', error: expect.stringContaining('schedule:') }]);
    expect(errors).toEqual([
      { message: 'stored group cannot be read', data: { groupId: 'corrupt', reason: report.unreadable[0]?.error } },
    ]);
    expect(await scheduleStore.get('corrupt')).toBeDefined();
    expect(await scheduleStore.get('fine')).toBeDefined();
  });

  it('reports a schedule store failure per group instead of stopping', async () => {
    const { groupStore, deps } = await setUp();
    await groupStore.create(aJobGroup({ id: 'a' }));
    await groupStore.create(aJobGroup({ id: 'b' }));
    let calls = 0;
    const flaky: ScheduleStore = {
      ...new InMemoryScheduleStore(),
      list: async () => [],
      get: async () => undefined,
      delete: async () => false,
      upsert: async () => {
        calls++;
        if (calls === 1) throw new Error('throttled');
      },
    };
    const report = await reconcileSchedules({ ...deps, scheduleStore: flaky });
    expect(report).toMatchObject({ created: ['b'], failed: ['a'] });
  });
});
