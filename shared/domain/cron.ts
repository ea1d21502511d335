/**
 * A job group's schedule: a standard 5-field cron, validated so that it means the same thing to croner (fire
 * times for previews, the watchdog and the sandbox) and to EventBridge Scheduler (the deployed schedule).
 */
import { Cron } from 'croner';
import { assertExpressibleOnAws } from '#shared/domain/cron-aws.ts';
import { CRON_FIELDS, type CronFieldValues, parseCronField } from '#shared/domain/cron-fields.ts';
import { assertValidTimezone, toWallClock, wallClockMapper } from '#shared/domain/cron-timezone.ts';
import { ValidationError } from '#shared/domain/errors.ts';

export { toAwsScheduleExpression } from '#shared/domain/cron-aws.ts';
export { assertValidTimezone, isValidTimezone } from '#shared/domain/cron-timezone.ts';

/** A validated 5-field cron: minute hour day-of-month month day-of-week. */
export interface CronSchedule {
  /** Normalised: trimmed, single spaces, names upper-cased. */
  readonly expression: string;
  /** Sorted distinct values of each field; a field written `*` lists every value. */
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** Empty when `lastDayOfMonth`. */
  readonly daysOfMonth: readonly number[];
  /** Day-of-month was `L`: the last day of each month. */
  readonly lastDayOfMonth: boolean;
  readonly months: readonly number[];
  /** 0-6 with Sunday = 0 (a written 7 is folded to 0). */
  readonly daysOfWeek: readonly number[];
  /**
   * Whether each day field narrows the days, as standard (Vixie) cron decides it: anything but a `*`-led field
   * matching every value. Both restricted means "day-of-month OR day-of-week" there, which parseCron refuses.
   */
  readonly dayOfMonthRestricted: boolean;
  readonly dayOfWeekRestricted: boolean;
}

/** Most fire times one call of nextFireTimes returns. */
export const MAX_FIRE_TIMES = 1000;

const FIELD_LIST = CRON_FIELDS.map((field) => field.name).join(' ');
const DAY_MS = 86_400_000;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses and validates a 5-field cron; throws ValidationError (path 'schedule') naming the bad field. */
export function parseCron(expression: string): CronSchedule {
  const expressionText = expression.trim().replace(/\s+/g, ' ').toUpperCase();
  const fail = (message: string): never => {
    throw ValidationError.of('schedule', message);
  };
  if (expressionText === '') fail(`expected 5 fields (${FIELD_LIST}) but got none`);
  if (expressionText.startsWith('@')) {
    const macro = expressionText.split(' ')[0]?.toLowerCase();
    fail(`macros such as '${macro}' are not supported; write the 5 fields (${FIELD_LIST})`);
  }
  const texts = expressionText.split(' ');
  if (texts.length !== CRON_FIELDS.length) {
    const hint = texts.length > CRON_FIELDS.length ? '; seconds and years are not supported' : '';
    fail(`expected 5 fields (${FIELD_LIST}) but got ${texts.length}${hint}`);
  }
  const read = (index: 0 | 1 | 2 | 3 | 4): CronFieldValues => parseCronField(CRON_FIELDS[index], texts[index] ?? '');
  const [minute, hour, dayOfMonth, month, dayOfWeek] = [read(0), read(1), read(2), read(3), read(4)];
  const schedule: CronSchedule = Object.freeze({
    expression: expressionText,
    minutes: minute.values,
    hours: hour.values,
    daysOfMonth: dayOfMonth.values,
    lastDayOfMonth: dayOfMonth.last,
    months: month.values,
    daysOfWeek: dayOfWeek.values,
    dayOfMonthRestricted: dayOfMonth.last || !isWildcard(texts[2], dayOfMonth, 31),
    dayOfWeekRestricted: !isWildcard(texts[4], dayOfWeek, 7),
  });
  const longestMonth = Math.max(...schedule.months.map((value) => DAYS_IN_MONTH[value - 1] ?? 31));
  const firstDay = schedule.daysOfMonth[0];
  if (firstDay !== undefined && firstDay > longestMonth) {
    fail(`day-of-month: ${firstDay} never occurs in month ${schedule.months.join(',')}, so it would never fire`);
  }
  assertExpressibleOnAws(schedule);
  return schedule;
}

/**
 * The next `count` (1-1000) fire instants strictly after `after`, evaluated in the IANA `timezone` the way
 * EventBridge Scheduler does across daylight saving: a wall-clock time skipped by the spring-forward gap does not
 * fire that day, and one repeated by the autumn fall-back fires once, at its first occurrence.
 */
export function nextFireTimes(
  schedule: CronSchedule,
  timezone: string,
  options: { after: Date; count: number },
): Date[] {
  const { after, count } = options;
  if (!Number.isInteger(count) || count < 1 || count > MAX_FIRE_TIMES) {
    throw ValidationError.of('count', `must be an integer between 1 and ${MAX_FIRE_TIMES}`);
  }
  const fires: Date[] = [];
  for (const instant of fireTimesAfter(schedule, timezone, after)) {
    fires.push(instant);
    if (fires.length === count) break;
  }
  return fires;
}

/** The longest span `fireTimesBetween` walks: a cron firing every minute has 10,080 fire times in a week. */
export const MAX_FIRE_TIME_SPAN_MS = 8 * DAY_MS;

/**
 * Every fire instant strictly after `after` and at or before `until` (a span of at most `MAX_FIRE_TIME_SPAN_MS`),
 * oldest first, by the same rules as `nextFireTimes`: however many there are, none is left out.
 */
export function fireTimesBetween(
  schedule: CronSchedule,
  timezone: string,
  options: { after: Date; until: Date },
): Date[] {
  const untilMs = options.until.getTime();
  if (Number.isNaN(untilMs)) throw ValidationError.of('until', 'must be a valid date');
  if (untilMs - options.after.getTime() > MAX_FIRE_TIME_SPAN_MS) {
    throw ValidationError.of('until', `must be at most ${MAX_FIRE_TIME_SPAN_MS / DAY_MS} days after 'after'`);
  }
  const fires: Date[] = [];
  for (const instant of fireTimesAfter(schedule, timezone, options.after)) {
    if (instant.getTime() > untilMs) break;
    fires.push(instant);
  }
  return fires;
}

/** Fire instants strictly after `after`, oldest first, for as long as the caller reads them. */
function* fireTimesAfter(schedule: CronSchedule, timezone: string, after: Date): Generator<Date> {
  assertValidTimezone(timezone);
  const afterMs = after.getTime();
  if (Number.isNaN(afterMs)) throw ValidationError.of('after', 'must be a valid date');
  // Croner's own DST policy (Vixie cron's) fires fixed times after a gap and interval jobs twice in a repeated hour,
  // unlike AWS (repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst). So croner walks the wall clock in UTC,
  // where no time is skipped or repeated, and each wall-clock time is mapped to an instant here. Instants so mapped
  // rise with their wall clocks (a repeated one maps to its first occurrence), so the walk yields them in order.
  // Within a day that matches, a 5-field cron fires at every hour × minute it lists, so croner is asked only for the
  // next matching day.
  const walker = new Cron(toCronerPattern(schedule), { utcOffset: 0, mode: '5-part', domAndDow: true });
  const toInstant = wallClockMapper(timezone);
  let wallClock = toWallClock(afterMs, timezone);
  for (;;) {
    const first = walker.nextRun(new Date(wallClock))?.getTime();
    if (first === undefined) return;
    const dayStart = Math.floor(first / DAY_MS) * DAY_MS;
    for (const hour of schedule.hours) {
      for (const minute of schedule.minutes) {
        const fire = dayStart + hour * 3_600_000 + minute * 60_000;
        if (fire < first) continue;
        const instant = toInstant(fire);
        // A wall clock later than `after`'s can still map to an earlier instant when `after` is in a repeated hour.
        if (instant !== undefined && instant > afterMs) yield new Date(instant);
      }
    }
    wallClock = dayStart + DAY_MS - 1;
  }
}

function isWildcard(text: string | undefined, field: CronFieldValues, size: number): boolean {
  return text?.startsWith('*') === true && field.values.length === size;
}

function toCronerPattern(schedule: CronSchedule): string {
  const list = (values: readonly number[], size: number): string => (values.length === size ? '*' : values.join(','));
  return [
    list(schedule.minutes, 60),
    list(schedule.hours, 24),
    schedule.lastDayOfMonth ? 'L' : list(schedule.daysOfMonth, 31),
    list(schedule.months, 12),
    list(schedule.daysOfWeek, 7),
  ].join(' ');
}
