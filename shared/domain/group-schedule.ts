import { parseCron, toAwsScheduleExpression } from '#shared/domain/cron.ts';
import { isActive, type JobGroup } from '#shared/domain/job-group.ts';

/** The schedule that fires a job group: one per group, named by the group id. */
export interface GroupSchedule {
  readonly groupId: string;
  /** The AWS schedule expression, e.g. `cron(30 17 ? * MON-FRI *)`. */
  readonly expression: string;
  /** IANA timezone the expression is evaluated in. */
  readonly timezone: string;
  readonly state: 'ENABLED' | 'DISABLED';
}

/**
 * The schedule a group should have: its cron in AWS form, its timezone, and DISABLED while disabled or paused; none
 * for a group without a schedule (it runs after its dependencies, or by hand).
 */
export function desiredScheduleOf(group: JobGroup): GroupSchedule | undefined {
  if (group.schedule === null) return undefined;
  return {
    groupId: group.id,
    expression: toAwsScheduleExpression(parseCron(group.schedule)),
    timezone: group.timezone,
    state: isActive(group) ? 'ENABLED' : 'DISABLED',
  };
}

/** True when a stored schedule already is what the group wants. */
export function scheduleMatches(stored: GroupSchedule, desired: GroupSchedule): boolean {
  return (
    stored.expression === desired.expression && stored.timezone === desired.timezone && stored.state === desired.state
  );
}
