import type { GroupSchedule } from '#shared/domain/group-schedule.ts';

/**
 * ScheduleStore: the schedules that fire job groups (one per group, named by the group id).
 *
 * Guarantees:
 * - `upsert` writes the full desired state every time (an update replaces everything: nothing omitted survives),
 *   creating the schedule when it is missing.
 * - `delete` is idempotent: deleting a missing schedule returns false.
 * - `get`/`list` report what is stored, including whether the target is the one this store would write, so a
 *   reconciler can repair drift in the target too.
 */
export interface ScheduleStore {
  /** Creates or fully replaces the group's schedule. */
  upsert(schedule: GroupSchedule): Promise<void>;
  /** Deletes the group's schedule; false when there was none. */
  delete(groupId: string): Promise<boolean>;
  /** The group's schedule, or undefined. */
  get(groupId: string): Promise<StoredGroupSchedule | undefined>;
  /** Every schedule in the store's schedule group. */
  list(): Promise<StoredGroupSchedule[]>;
}

/** A stored schedule as read back. */
export interface StoredGroupSchedule extends GroupSchedule {
  /**
   * False when the target (function, role, input, dead-letter queue or retry policy) differs from what `upsert`
   * would write.
   */
  readonly targetMatches: boolean;
}

export type { GroupSchedule };
