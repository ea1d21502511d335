import { desiredScheduleOf } from '#shared/domain/group-schedule.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import type { ScheduleStore } from '#shared/ports/schedule-store.ts';

/** What converging did to the group's schedule. */
export type ConvergeOutcome = 'upserted' | 'deleted' | 'absent';

/**
 * Makes a group's schedule match the group as it is stored now (none for a deleted group or one without a schedule). A stream record only says "look at this group":
 * reading its current state makes the manager idempotent under duplicate records and immune to out-of-order ones
 * (an old record can never put back an old cron, and a REMOVE followed by a re-create keeps the new schedule).
 */
export async function convergeGroupSchedule(
  groupId: string,
  deps: { groupStore: JobGroupStore; scheduleStore: ScheduleStore },
): Promise<ConvergeOutcome> {
  const group = await deps.groupStore.get(groupId);
  const desired = group === undefined ? undefined : desiredScheduleOf(group);
  if (desired === undefined) return (await deps.scheduleStore.delete(groupId)) ? 'deleted' : 'absent';
  await deps.scheduleStore.upsert(desired);
  return 'upserted';
}
