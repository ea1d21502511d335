/**
 * Translation of a parsed 5-field cron to an EventBridge Scheduler `cron(minutes hours day-of-month month
 * day-of-week year)` expression, built from the values each field matches so the two can never disagree.
 * AWS rules relied on (docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based):
 * `?` in exactly one of day-of-month / day-of-week, day-of-week numbered 1-7 from Sunday (we emit names instead),
 * no `/` in day-of-week, `L` allowed in day-of-month.
 */
import type { CronSchedule } from '#shared/domain/cron.ts';
import { WEEKDAY_NAMES } from '#shared/domain/cron-fields.ts';
import { ValidationError } from '#shared/domain/errors.ts';

/**
 * Throws ValidationError (path 'schedule') when both day fields are restricted: standard cron then fires when
 * EITHER matches, which AWS cannot express (it takes `?` in one of them).
 */
export function assertExpressibleOnAws(schedule: CronSchedule): void {
  if (schedule.dayOfMonthRestricted && schedule.dayOfWeekRestricted) {
    throw ValidationError.of(
      'schedule',
      "AWS EventBridge Scheduler cannot fire on 'day-of-month OR day-of-week', which is what standard cron does " +
        'when both are restricted; restrict only one of them (use * for the other) or split it into two groups',
    );
  }
}

/** The EventBridge Scheduler expression for `schedule`, e.g. `cron(30 17 ? * MON-FRI *)`. */
export function toAwsScheduleExpression(schedule: CronSchedule): string {
  assertExpressibleOnAws(schedule);
  const byDayOfWeek = schedule.dayOfWeekRestricted;
  let dayOfMonth = byDayOfWeek ? '?' : '*';
  if (schedule.lastDayOfMonth) dayOfMonth = 'L';
  else if (schedule.dayOfMonthRestricted) dayOfMonth = compact(schedule.daysOfMonth, 1, 31);
  const dayOfWeek = byDayOfWeek ? compact(schedule.daysOfWeek, 0, 6, WEEKDAY_NAMES) : '?';
  const fields = [
    compact(schedule.minutes, 0, 59),
    compact(schedule.hours, 0, 23),
    dayOfMonth,
    compact(schedule.months, 1, 12),
    dayOfWeek,
    '*',
  ];
  return `cron(${fields.join(' ')})`;
}

/**
 * The shortest plain form of sorted distinct `values` within `min..max`: `*`, `start/step` (numbers only, for a
 * step that runs to the end of the field), else ranges of three or more and single values separated by commas.
 */
function compact(values: readonly number[], min: number, max: number, names?: readonly string[]): string {
  if (values.length === max - min + 1) return '*';
  const label = (value: number): string => names?.[value] ?? String(value);
  const [first = min, second = min] = values;
  const step = second - first;
  const last = values[values.length - 1] ?? min;
  const evenlySpaced = values.every((value, index) => value === first + index * step);
  if (names === undefined && values.length >= 3 && step > 1 && evenlySpaced && last + step > max) {
    return `${first}/${step}`;
  }
  const parts: string[] = [];
  let start = 0;
  while (start < values.length) {
    let end = start;
    while (end + 1 < values.length && values[end + 1] === (values[end] ?? 0) + 1) end += 1;
    const from = values[start] ?? min;
    const to = values[end] ?? min;
    if (end - start >= 2) parts.push(`${label(from)}-${label(to)}`);
    else for (let index = start; index <= end; index += 1) parts.push(label(values[index] ?? min));
    start = end + 1;
  }
  return parts.join(',');
}
