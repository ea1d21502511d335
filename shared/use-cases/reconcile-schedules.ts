import { VersionConflictError } from '#shared/domain/errors.ts';
import { desiredScheduleOf, scheduleMatches } from '#shared/domain/group-schedule.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import type { Log } from '#shared/observability/logger.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { JobGroupStore, UnreadableJobGroup } from '#shared/ports/job-group-store.ts';
import type { ScheduleStore } from '#shared/ports/schedule-store.ts';

/** What one reconciliation repaired. */
export interface ReconcileReport {
  /** Groups with no schedule: created. */
  readonly created: string[];
  /** Schedules that differed from their group (expression, timezone, state or target): replaced. */
  readonly updated: string[];
  /** Schedules with no group: deleted. */
  readonly deleted: string[];
  /** Groups whose pause `until` had passed: resumed. */
  readonly resumed: string[];
  /** Groups that could not be repaired this time (the next pass retries them). */
  readonly failed: string[];
  /** Stored groups that do not parse: their schedules are left as they are until someone repairs the item. */
  readonly unreadable: UnreadableJobGroup[];
}

/**
 * Diffs every group against every schedule and repairs the difference: missing, stale and orphaned schedules.
 * It also resumes groups whose pause has expired. Each group is repaired on its own, so one failure never blocks
 * the rest; the next pass (every 5 minutes) retries what failed. A group that cannot be read is reported, and its
 * schedule is neither repaired (its desired state is unknown) nor deleted as an orphan (the group still exists).
 */
export async function reconcileSchedules(deps: {
  groupStore: JobGroupStore;
  scheduleStore: ScheduleStore;
  clock: Clock;
  log: Log;
}): Promise<ReconcileReport> {
  const [{ groups, unreadable }, schedules] = await Promise.all([deps.groupStore.list(), deps.scheduleStore.list()]);
  const report: ReconcileReport = { created: [], updated: [], deleted: [], resumed: [], failed: [], unreadable };
  for (const group of unreadable) {
    deps.log.error('stored group cannot be read', { groupId: group.id, reason: group.error });
  }
  const schedulesByGroup = new Map(schedules.map((schedule) => [schedule.groupId, schedule]));
  const now = deps.clock.now();

  for (const stored of groups) {
    try {
      const group = await resumeIfPauseExpired(stored, now, deps, report);
      const desired = desiredScheduleOf(group);
      const actual = schedulesByGroup.get(group.id);
      if (desired === undefined) {
        // A group without a schedule has none: one left from before it lost its cron goes.
        if (actual !== undefined && (await deps.scheduleStore.delete(group.id))) report.deleted.push(group.id);
      } else if (actual === undefined) {
        await deps.scheduleStore.upsert(desired);
        report.created.push(group.id);
      } else if (!actual.targetMatches || !scheduleMatches(actual, desired)) {
        await deps.scheduleStore.upsert(desired);
        report.updated.push(group.id);
      }
    } catch (error) {
      report.failed.push(stored.id);
      deps.log.error('schedule repair failed', { groupId: stored.id, error });
    }
  }

  const groupIds = new Set([...groups, ...unreadable].map((group) => group.id));
  for (const schedule of schedules) {
    if (groupIds.has(schedule.groupId)) continue;
    try {
      if (await deps.scheduleStore.delete(schedule.groupId)) report.deleted.push(schedule.groupId);
    } catch (error) {
      report.failed.push(schedule.groupId);
      deps.log.error('orphaned schedule delete failed', { groupId: schedule.groupId, error });
    }
  }
  return report;
}

async function resumeIfPauseExpired(
  group: JobGroup,
  now: Date,
  deps: { groupStore: JobGroupStore; log: Log },
  report: ReconcileReport,
): Promise<JobGroup> {
  const until = group.pause?.until;
  if (until === undefined || new Date(until).getTime() > now.getTime()) return group;
  const resumed: JobGroup = { ...group, pause: null, updatedAt: now.toISOString(), version: group.version + 1 };
  try {
    await deps.groupStore.update(resumed, group.version);
  } catch (error) {
    // Someone changed the group meanwhile; the next pass sees their version.
    if (error instanceof VersionConflictError) return group;
    throw error;
  }
  report.resumed.push(group.id);
  deps.log.info('pause expired: group resumed', { groupId: group.id });
  return resumed;
}
