import { beforeEach, describe, expect, it } from 'vitest';
import type { GroupSchedule, ScheduleStore } from '#shared/ports/schedule-store.ts';

const weekdays: GroupSchedule = {
  groupId: 'daily-bars',
  expression: 'cron(30 17 ? * MON-FRI *)',
  timezone: 'Asia/Tokyo',
  state: 'ENABLED',
};

/** The behaviour every ScheduleStore must have; run against the fake (unit) and Scheduler on moto (integration). */
export function describeScheduleStoreContract(name: string, createStore: () => Promise<ScheduleStore>): void {
  describe(`ScheduleStore contract: ${name}`, () => {
    let store: ScheduleStore;
    beforeEach(async () => {
      store = await createStore();
    });

    it('creates a missing schedule on upsert and reads it back with a matching target', async () => {
      await store.upsert(weekdays);
      expect(await store.get('daily-bars')).toEqual({ ...weekdays, targetMatches: true });
    });

    it('replaces every field on a second upsert', async () => {
      await store.upsert(weekdays);
      const changed: GroupSchedule = {
        ...weekdays,
        expression: 'cron(0 9 ? * SAT *)',
        timezone: 'America/New_York',
        state: 'DISABLED',
      };
      await store.upsert(changed);
      expect(await store.get('daily-bars')).toEqual({ ...changed, targetMatches: true });
    });

    it('lists every schedule of the group', async () => {
      await store.upsert(weekdays);
      await store.upsert({ ...weekdays, groupId: 'topix', state: 'DISABLED' });
      const listed = await store.list();
      expect(listed.map((schedule) => schedule.groupId).sort()).toEqual(['daily-bars', 'topix']);
      expect(listed.find((schedule) => schedule.groupId === 'topix')?.state).toBe('DISABLED');
    });

    it('deletes idempotently', async () => {
      await store.upsert(weekdays);
      expect(await store.delete('daily-bars')).toBe(true);
      expect(await store.delete('daily-bars')).toBe(false);
      expect(await store.get('daily-bars')).toBeUndefined();
    });

    it('returns undefined for a schedule that does not exist', async () => {
      expect(await store.get('missing')).toBeUndefined();
    });
  });
}
