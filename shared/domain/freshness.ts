import { businessDateOf } from '#shared/domain/business-date.ts';
import { isWeekend } from '#shared/domain/calendar-date.ts';
import { fireTimesBetween, parseCron } from '#shared/domain/cron.ts';
import { wallClockMapper } from '#shared/domain/cron-timezone.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import type { Run } from '#shared/domain/run.ts';

/**
 * Whether a group's data is fresh: `late` once its `expectBy` has passed today (in its timezone) with no succeeded run
 * of today's business date; `ok` otherwise — and always on a day it is not expected to run (a market holiday, a day
 * its schedule does not fire), and while it is paused or disabled.
 */
export type GroupHealth =
  | { readonly state: 'ok' }
  | { readonly state: 'late'; readonly since: string; readonly businessDate: string };

const ok: GroupHealth = { state: 'ok' };
const HOUR_MS = 3_600_000;

/** The instant `time` (HH:MM) on `date` in `timezone`; a wall clock skipped by a change of offset: the next hour's. */
export function instantOnDate(date: string, time: string, timezone: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const toInstant = wallClockMapper(timezone);
  const wallClockMs = Date.UTC(year, month - 1, day, hour, minute);
  return new Date(toInstant(wallClockMs) ?? toInstant(wallClockMs + HOUR_MS) ?? wallClockMs);
}

/**
 * Whether the group is expected to have a run of `date`: a day the market trades when it follows the JPX calendar
 * (`tradingDay`: what the stored calendar says, undefined when it does not cover the day, then weekdays count), and
 * a day its schedule fires on (a group without one runs after its dependencies: on weekdays, or trading days).
 */
export function expectedOn(
  group: Pick<JobGroup, 'schedule' | 'timezone'>,
  date: string,
  calendar: { readonly follows: boolean; readonly tradingDay: boolean | undefined },
): boolean {
  if (calendar.follows && calendar.tradingDay === false) return false;
  if (group.schedule === null) return calendar.tradingDay === true || !isWeekend(date);
  const dayStart = instantOnDate(date, '00:00', group.timezone);
  const nextDayStart = new Date(dayStart.getTime() + 26 * HOUR_MS);
  return fireTimesBetween(parseCron(group.schedule), group.timezone, {
    after: new Date(dayStart.getTime() - 1),
    until: nextDayStart,
  }).some((instant) => businessDateOf(instant, group.timezone) === date);
}

/**
 * Judges a group's freshness at `now`: late once `expectBy` has passed on an expected day (`expectedToday`) and none
 * of the runs of today's business date (`runsOfToday`) has succeeded.
 */
export function judgeFreshness(input: {
  readonly group: Pick<JobGroup, 'expectBy' | 'timezone' | 'enabled' | 'pause'>;
  readonly now: Date;
  readonly expectedToday: boolean;
  readonly runsOfToday: readonly Pick<Run, 'status'>[];
}): GroupHealth {
  const { group, now } = input;
  if (group.expectBy === undefined || !group.enabled || group.pause !== null || !input.expectedToday) return ok;
  const businessDate = businessDateOf(now, group.timezone);
  const deadline = instantOnDate(businessDate, group.expectBy, group.timezone);
  if (now.getTime() < deadline.getTime()) return ok;
  if (input.runsOfToday.some((run) => run.status === 'succeeded')) return ok;
  return { state: 'late', since: deadline.toISOString(), businessDate };
}
