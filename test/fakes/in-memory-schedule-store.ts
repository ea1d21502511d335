import type { GroupSchedule, ScheduleStore, StoredGroupSchedule } from '#shared/ports/schedule-store.ts';

/** ScheduleStore in memory; `corruptTarget` simulates a schedule edited behind the system's back. */
export class InMemoryScheduleStore implements ScheduleStore {
  readonly #schedules = new Map<string, StoredGroupSchedule>();

  async upsert(schedule: GroupSchedule): Promise<void> {
    this.#schedules.set(schedule.groupId, { ...schedule, targetMatches: true });
  }

  async delete(groupId: string): Promise<boolean> {
    return this.#schedules.delete(groupId);
  }

  async get(groupId: string): Promise<StoredGroupSchedule | undefined> {
    const schedule = this.#schedules.get(groupId);
    return schedule === undefined ? undefined : { ...schedule };
  }

  async list(): Promise<StoredGroupSchedule[]> {
    return [...this.#schedules.values()].map((schedule) => ({ ...schedule }));
  }

  /** Marks a stored schedule's target as drifted. */
  corruptTarget(groupId: string): void {
    const schedule = this.#schedules.get(groupId);
    if (schedule !== undefined) this.#schedules.set(groupId, { ...schedule, targetMatches: false });
  }
}
