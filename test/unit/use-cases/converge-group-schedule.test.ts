import { describe, expect, it } from 'vitest';
import { convergeGroupSchedule } from '#shared/use-cases/converge-group-schedule.ts';
import { InMemoryJobGroupStore } from '#test/fakes/in-memory-job-group-store.ts';
import { InMemoryScheduleStore } from '#test/fakes/in-memory-schedule-store.ts';
import { aJobGroup, scheduleOf } from '#test/fixtures/builders.ts';

describe('convergeGroupSchedule', () => {
  it('writes the schedule of the group as stored now, whatever record triggered it', async () => {
    const groupStore = new InMemoryJobGroupStore();
    const scheduleStore = new InMemoryScheduleStore();
    await groupStore.create(aJobGroup());
    await groupStore.update(aJobGroup({ schedule: '0 18 * * 1-5', version: 2 }), 1);
    // Two deliveries of the old INSERT and one of the MODIFY, in any order, all converge on version 2.
    for (let delivery = 0; delivery < 3; delivery++) {
      expect(await convergeGroupSchedule('daily-bars', { groupStore, scheduleStore })).toBe('upserted');
    }
    expect((await scheduleStore.get('daily-bars'))?.expression).toBe('cron(0 18 ? * MON-FRI *)');
  });

  it('deletes the schedule of a deleted group, and tolerates the REMOVE arriving twice', async () => {
    const groupStore = new InMemoryJobGroupStore();
    const scheduleStore = new InMemoryScheduleStore();
    await scheduleStore.upsert(scheduleOf(aJobGroup()));
    expect(await convergeGroupSchedule('daily-bars', { groupStore, scheduleStore })).toBe('deleted');
    expect(await convergeGroupSchedule('daily-bars', { groupStore, scheduleStore })).toBe('absent');
  });

  it('keeps the schedule of a group re-created after a delete when the old REMOVE arrives late', async () => {
    const groupStore = new InMemoryJobGroupStore();
    const scheduleStore = new InMemoryScheduleStore();
    await groupStore.create(aJobGroup({ schedule: '0 7 * * *' }));
    expect(await convergeGroupSchedule('daily-bars', { groupStore, scheduleStore })).toBe('upserted');
    expect((await scheduleStore.get('daily-bars'))?.expression).toBe('cron(0 7 * * ? *)');
  });
});
