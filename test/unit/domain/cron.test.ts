import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertValidTimezone,
  type CronSchedule,
  fireTimesBetween,
  isValidTimezone,
  nextFireTimes,
  parseCron,
  toAwsScheduleExpression,
} from '#shared/domain/cron.ts';
import { ValidationError } from '#shared/domain/errors.ts';

const fires = (expression: string, timezone: string, after: string, count: number): string[] =>
  nextFireTimes(parseCron(expression), timezone, { after: new Date(after), count }).map((date) => date.toISOString());

const aws = (expression: string): string => toAwsScheduleExpression(parseCron(expression));

const localDate = (instant: string, timezone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: timezone }).format(new Date(instant));

function validationErrorOf(action: () => unknown): ValidationError {
  try {
    action();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const HOUR_MS = 3_600_000;

describe('parseCron', () => {
  it('normalises whitespace and upper-cases names', () => {
    expect(parseCron('  30   17 * *\tmon-fri ').expression).toBe('30 17 * * MON-FRI');
  });

  it('reads every field into its sorted values, folding day-of-week 7 into Sunday 0', () => {
    expect(parseCron('5-10/2 */6 1,15 JAN-MAR *')).toMatchObject({
      minutes: [5, 7, 9],
      hours: [0, 6, 12, 18],
      daysOfMonth: [1, 15],
      lastDayOfMonth: false,
      months: [1, 2, 3],
      dayOfMonthRestricted: true,
      dayOfWeekRestricted: false,
    });
    expect(parseCron('0 0 * * 5-7')).toMatchObject({ daysOfWeek: [0, 5, 6], dayOfMonthRestricted: false });
    expect(parseCron('0 0 L * *')).toMatchObject({ daysOfMonth: [], lastDayOfMonth: true, dayOfMonthRestricted: true });
  });

  it('rejects a cron restricting both day-of-month and day-of-week, explaining why and how to fix it', () => {
    const error = validationErrorOf(() => parseCron('0 9 1 * 1'));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe('schedule');
    expect(error.message).toContain("cannot fire on 'day-of-month OR day-of-week'");
    expect(error.message).toContain('restrict only one of them (use * for the other) or split it into two groups');
  });

  it.each([['0 9 */2 * MON'], ['0 9 1-31 * 1-5'], ['0 9 L * FRI'], ['0 9 1 * 0-7']])(
    'rejects %s, whose day fields are both restricted',
    (expression) => {
      expect(validationErrorOf(() => parseCron(expression)).message).toContain('day-of-month OR day-of-week');
    },
  );

  it.each([
    ['', 'expected 5 fields (minute hour day-of-month month day-of-week) but got none'],
    ['   ', 'but got none'],
    ['* * * *', 'expected 5 fields (minute hour day-of-month month day-of-week) but got 4'],
    ['0 * * * * *', 'got 6; seconds and years are not supported'],
    ['0 0 9 * * ? 2026', 'got 7; seconds and years are not supported'],
    ['@daily', "macros such as '@daily' are not supported"],
    ['60 * * * *', 'minute: 60 is out of range 0-59'],
    ['0 24 * * *', 'hour: 24 is out of range 0-23'],
    ['0 0 0 * *', 'day-of-month: 0 is out of range 1-31'],
    ['0 0 * 13 *', 'month: 13 is out of range 1-12'],
    ['* * * * 8', 'day-of-week: 8 is out of range 0-7'],
    ['5-1 * * * *', "minute: range '5-1' is reversed"],
    ['0 0 * * SAT-SUN', "day-of-week: range 'SAT-SUN' is reversed"],
    ['*/0 * * * *', 'minute: step 0 is out of range 1-60'],
    ['0 */25 * * *', 'hour: step 25 is out of range 1-24'],
    ['*/ * * * *', "minute: missing step after '/'"],
    ['5/15 * * * *', "minute: '5/15' needs a range before the step"],
    ['1,,2 * * * *', "minute: empty list item in '1,,2'"],
    ['0 9, * * *', "hour: empty list item in '9,'"],
    ['? * * * *', "minute: '?' is not supported"],
    ['0 9 ? * MON', "day-of-month: '?' is not supported"],
    ['0 9 * * MON#2', "day-of-week: '#' (nth weekday) is not supported"],
    ['0 9 15W * *', "day-of-month: 'W' (nearest weekday) is not supported"],
    ['0 9 * * 5L', "day-of-week: 'L' (last weekday) is not supported"],
    ['0 9 L-2 * *', "day-of-month: 'L' must stand alone"],
    ['0 9 * FOO *', "month: unknown name 'FOO' (use JAN-DEC or 1-12)"],
    ['0 9 * * MONDAY', "day-of-week: unknown name 'MONDAY' (use SUN-SAT or 0-7)"],
    ['JAN * * * *', "minute: 'JAN' is not a number"],
    ['0 9 * MON *', "month: unknown name 'MON'"],
    ['1.5 * * * *', "minute: cannot read '1.5'"],
    ['0 0 30 2 *', 'day-of-month: 30 never occurs in month 2'],
    ['0 0 31 APR,JUN *', 'day-of-month: 31 never occurs in month 4,6'],
  ])('rejects %j naming the problem: %s', (expression, message) => {
    const error = validationErrorOf(() => parseCron(expression));
    expect(error.issues).toEqual([{ path: 'schedule', message: expect.stringContaining(message) }]);
  });
});

describe('toAwsScheduleExpression', () => {
  it.each([
    ['30 17 * * 1-5', 'cron(30 17 ? * MON-FRI *)'],
    ['30 17 * * mon-fri', 'cron(30 17 ? * MON-FRI *)'],
    ['0 9 * * *', 'cron(0 9 * * ? *)'],
    ['* * * * *', 'cron(* * * * ? *)'],
    ['0 9 * * 0', 'cron(0 9 ? * SUN *)'],
    ['0 9 * * 7', 'cron(0 9 ? * SUN *)'],
    ['0 9 * * 6', 'cron(0 9 ? * SAT *)'],
    ['0 9 * * 5-7', 'cron(0 9 ? * SUN,FRI,SAT *)'],
    ['0 9 * * 0-6', 'cron(0 9 ? * * *)'],
    ['0 9 * * MON,WED,FRI', 'cron(0 9 ? * MON,WED,FRI *)'],
    ['0 9 * * 1,2,3,5', 'cron(0 9 ? * MON-WED,FRI *)'],
    ['0 9 * * */2', 'cron(0 9 ? * SUN,TUE,THU,SAT *)'],
    ['0 9 * * 1-5/2', 'cron(0 9 ? * MON,WED,FRI *)'],
    ['0 9 1 * *', 'cron(0 9 1 * ? *)'],
    ['0 9 1,15 * *', 'cron(0 9 1,15 * ? *)'],
    ['0 9 1-7 * *', 'cron(0 9 1-7 * ? *)'],
    ['0 9 */2 * *', 'cron(0 9 1/2 * ? *)'],
    ['0 0 L * *', 'cron(0 0 L * ? *)'],
    ['0 9 1 JAN,JUL *', 'cron(0 9 1 1,7 ? *)'],
    ['0 9 * */3 *', 'cron(0 9 * 1/3 ? *)'],
    ['*/15 9-15 * * 1-5', 'cron(0/15 9-15 ? * MON-FRI *)'],
    ['0 */6 * * *', 'cron(0 0/6 * * ? *)'],
    ['5-10/2 * * * *', 'cron(5,7,9 * * * ? *)'],
    ['10-59/20 * * * *', 'cron(10/20 * * * ? *)'],
    ['0,30 * * * *', 'cron(0,30 * * * ? *)'],
  ])('translates %s to %s', (expression, expected) => {
    expect(aws(expression)).toBe(expected);
  });

  it('refuses a hand-built schedule restricting both day fields', () => {
    const schedule: CronSchedule = { ...parseCron('0 9 1 * *'), daysOfWeek: [1], dayOfWeekRestricted: true };
    expect(validationErrorOf(() => toAwsScheduleExpression(schedule)).message).toContain('day-of-month OR');
  });
});

describe('nextFireTimes', () => {
  it('fires 30 17 * * 1-5 at 17:30 JST Monday to Friday in Asia/Tokyo', () => {
    // 2026-01-05 is a Monday; 00:00 JST is 15:00 UTC the day before.
    expect(fires('30 17 * * 1-5', 'Asia/Tokyo', '2026-01-04T15:00:00Z', 6)).toEqual([
      '2026-01-05T08:30:00.000Z',
      '2026-01-06T08:30:00.000Z',
      '2026-01-07T08:30:00.000Z',
      '2026-01-08T08:30:00.000Z',
      '2026-01-09T08:30:00.000Z',
      '2026-01-12T08:30:00.000Z',
    ]);
  });

  it('fires */15 9-15 * * 1-5 28 times on each weekday in Asia/Tokyo', () => {
    const times = fires('*/15 9-15 * * 1-5', 'Asia/Tokyo', '2026-01-04T15:00:00Z', 141);
    const perDay = Map.groupBy(times, (time) => localDate(time, 'Asia/Tokyo'));
    expect([...perDay].map(([day, list]) => [day, list.length])).toEqual([
      ['2026-01-05', 28],
      ['2026-01-06', 28],
      ['2026-01-07', 28],
      ['2026-01-08', 28],
      ['2026-01-09', 28],
      ['2026-01-12', 1],
    ]);
    expect(perDay.get('2026-01-05')?.slice(0, 2)).toEqual(['2026-01-05T00:00:00.000Z', '2026-01-05T00:15:00.000Z']);
    expect(perDay.get('2026-01-05')?.at(-1)).toBe('2026-01-05T06:45:00.000Z');
  });

  it('fires every sixth hour for 0 */6 * * *', () => {
    expect(fires('0 */6 * * *', 'UTC', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-01T06:00:00.000Z',
      '2026-01-01T12:00:00.000Z',
      '2026-01-01T18:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
    ]);
  });

  it('fires a stepped range and a list only on their values', () => {
    expect(fires('5-10/2 * * * *', 'UTC', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-01T00:05:00.000Z',
      '2026-01-01T00:07:00.000Z',
      '2026-01-01T00:09:00.000Z',
      '2026-01-01T01:05:00.000Z',
    ]);
    expect(fires('0,30 9 * * *', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T09:00:00.000Z',
      '2026-01-01T09:30:00.000Z',
      '2026-01-02T09:00:00.000Z',
    ]);
  });

  it('fires on named months', () => {
    expect(fires('0 9 1 jan,JUL *', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T09:00:00.000Z',
      '2026-07-01T09:00:00.000Z',
      '2027-01-01T09:00:00.000Z',
    ]);
  });

  it('fires on named weekdays', () => {
    // 2026-01-04 is a Sunday.
    expect(fires('0 9 * * MON,WED,FRI', 'UTC', '2026-01-04T00:00:00Z', 4)).toEqual([
      '2026-01-05T09:00:00.000Z',
      '2026-01-07T09:00:00.000Z',
      '2026-01-09T09:00:00.000Z',
      '2026-01-12T09:00:00.000Z',
    ]);
  });

  it('treats day-of-week 0 and 7 both as Sunday', () => {
    const sundays = ['2026-01-04T09:00:00.000Z', '2026-01-11T09:00:00.000Z'];
    expect(fires('0 9 * * 0', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(sundays);
    expect(fires('0 9 * * 7', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(sundays);
    expect(fires('0 9 * * SUN', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(sundays);
    expect(fires('0 9 * * 5-7', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-02T09:00:00.000Z',
      '2026-01-03T09:00:00.000Z',
      '2026-01-04T09:00:00.000Z',
    ]);
  });

  it('fires L on the last day of each month, leap years included', () => {
    expect(fires('0 0 L * *', 'UTC', '2026-01-15T00:00:00Z', 3)).toEqual([
      '2026-01-31T00:00:00.000Z',
      '2026-02-28T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
    ]);
    expect(fires('0 0 L 2 *', 'UTC', '2027-03-01T00:00:00Z', 1)).toEqual(['2028-02-29T00:00:00.000Z']);
  });

  it('returns only instants strictly after `after`', () => {
    expect(fires('0 9 * * *', 'UTC', '2026-01-01T09:00:00Z', 1)).toEqual(['2026-01-02T09:00:00.000Z']);
    expect(fires('0 9 * * *', 'UTC', '2026-01-01T08:59:59.999Z', 1)).toEqual(['2026-01-01T09:00:00.000Z']);
  });

  it.each([0, 1001, 1.5, -1, Number.NaN])('rejects count %s', (count) => {
    const error = validationErrorOf(() => nextFireTimes(parseCron('* * * * *'), 'UTC', { after: new Date(), count }));
    expect(error.issues).toEqual([{ path: 'count', message: 'must be an integer between 1 and 1000' }]);
  });

  it('returns up to 1000 fire times', () => {
    expect(fires('* * * * *', 'UTC', '2026-01-01T00:00:00Z', 1000)).toHaveLength(1000);
  });

  it('rejects an invalid `after`', () => {
    const error = validationErrorOf(() =>
      nextFireTimes(parseCron('* * * * *'), 'UTC', { after: new Date('nope'), count: 1 }),
    );
    expect(error.issues[0]?.path).toBe('after');
  });

  it('rejects an unknown time zone', () => {
    const error = validationErrorOf(() =>
      nextFireTimes(parseCron('* * * * *'), 'Mars/Olympus', { after: new Date(), count: 1 }),
    );
    expect(error.issues[0]?.path).toBe('timezone');
  });
});

describe('nextFireTimes across daylight saving in America/New_York', () => {
  // 2026-03-08 02:00 EST jumps to 03:00 EDT; 2026-11-01 02:00 EDT falls back to 01:00 EST.
  // EventBridge Scheduler skips a wall-clock time in the spring gap and fires a repeated one once.

  it('skips 30 2 * * * on the spring-forward day, where 02:30 does not exist, and fires once on the other days', () => {
    expect(fires('30 2 * * *', 'America/New_York', '2026-03-06T12:00:00Z', 4)).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
      '2026-03-11T06:30:00.000Z',
    ]);
  });

  it('fires 30 2 * * * once a day across the autumn change', () => {
    expect(fires('30 2 * * *', 'America/New_York', '2026-10-30T12:00:00Z', 4)).toEqual([
      '2026-10-31T06:30:00.000Z',
      '2026-11-01T07:30:00.000Z',
      '2026-11-02T07:30:00.000Z',
      '2026-11-03T07:30:00.000Z',
    ]);
  });

  it('fires 30 1 * * * once, at the first 01:30, on the fall-back day', () => {
    expect(fires('30 1 * * *', 'America/New_York', '2026-10-30T12:00:00Z', 4)).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
      '2026-11-03T06:30:00.000Z',
    ]);
  });

  it('fires 30 1 * * * once a day across the spring change', () => {
    expect(fires('30 1 * * *', 'America/New_York', '2026-03-06T12:00:00Z', 4)).toEqual([
      '2026-03-07T06:30:00.000Z',
      '2026-03-08T06:30:00.000Z',
      '2026-03-09T05:30:00.000Z',
      '2026-03-10T05:30:00.000Z',
    ]);
  });

  it('fires 0 * * * * 23 times, an hour apart, on the spring-forward day', () => {
    const times = fires('0 * * * *', 'America/New_York', '2026-03-08T04:59:59Z', 24);
    expect(times.slice(0, 23).every((time) => localDate(time, 'America/New_York') === '2026-03-08')).toBe(true);
    expect(times[23]).toBe('2026-03-09T04:00:00.000Z');
    const gaps = times.slice(1).map((time, index) => Date.parse(time) - Date.parse(times[index] ?? ''));
    expect(new Set(gaps)).toEqual(new Set([HOUR_MS]));
  });

  it('fires 0 * * * * 24 times on the 25-hour fall-back day, once for the repeated 01:00', () => {
    const times = fires('0 * * * *', 'America/New_York', '2026-11-01T03:59:59Z', 25);
    const onDay = times.filter((time) => localDate(time, 'America/New_York') === '2026-11-01');
    expect(onDay).toHaveLength(24);
    expect(onDay.slice(0, 3)).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
    expect(times[24]).toBe('2026-11-02T05:00:00.000Z');
    expect(new Set(times).size).toBe(times.length);
    expect(times.every((time, index) => index === 0 || time > (times[index - 1] ?? ''))).toBe(true);
  });

  it('fires nothing earlier than `after` when `after` falls in the second pass of the repeated hour', () => {
    // 06:30Z is 01:30 EST, the second 01:30 of the day.
    expect(fires('*/30 * * * *', 'America/New_York', '2026-11-01T06:30:00Z', 2)).toEqual([
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T07:30:00.000Z',
    ]);
  });
});

describe('time zones', () => {
  it.each(['Asia/Tokyo', 'America/New_York', 'UTC', 'Etc/UTC', 'US/Eastern'])('accepts %s', (timezone) => {
    expect(isValidTimezone(timezone)).toBe(true);
    expect(() => assertValidTimezone(timezone)).not.toThrow();
  });

  it.each(['Mars/Olympus', '', 'asia/tokyo', '+09:00', 'Tokyo'])('rejects %j', (timezone) => {
    expect(isValidTimezone(timezone)).toBe(false);
    expect(validationErrorOf(() => assertValidTimezone(timezone)).issues[0]?.path).toBe('timezone');
  });
});

describe('fire times of random schedules', () => {
  const subset = (min: number, max: number): fc.Arbitrary<number[]> =>
    fc
      .uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 4 })
      .map((values) => values.sort((a, b) => a - b));
  const expression = fc
    .tuple(subset(0, 59), subset(0, 23), fc.boolean(), subset(1, 28), subset(0, 6))
    .map(([minutes, hours, byDayOfMonth, days, weekdays]) =>
      [minutes, hours, byDayOfMonth ? days : '*', '*', byDayOfMonth ? '*' : weekdays].join(' '),
    );
  const zones = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Tokyo'] as const;
  const wallClockFormats = Object.fromEntries(
    zones.map((zone) => [
      zone,
      new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', dateStyle: 'short', timeStyle: 'short' }),
    ]),
  ) as Record<(typeof zones)[number], Intl.DateTimeFormat>;
  const timezone = fc.constantFrom(...zones);
  const after = fc.date({
    min: new Date('2026-01-01T00:00:00Z'),
    max: new Date('2027-12-31T00:00:00Z'),
    noInvalidDate: true,
  });

  it('are strictly increasing, after `after`, on distinct wall-clock times the schedule matches', () => {
    fc.assert(
      fc.property(expression, timezone, after, (text, zone, start) => {
        const schedule = parseCron(text);
        const times = nextFireTimes(schedule, zone, { after: start, count: 25 });
        const wallClocks = new Set<string>();
        let previous = start.getTime();
        for (const time of times) {
          expect(time.getTime()).toBeGreaterThan(previous);
          previous = time.getTime();
          const wall = wallClockFormats[zone].format(time);
          expect(wallClocks.has(wall)).toBe(false);
          wallClocks.add(wall);
          const [hour, minute] = wall.split(', ')[1]?.split(':').map(Number) ?? [];
          expect(schedule.hours).toContain(hour);
          expect(schedule.minutes).toContain(minute);
        }
        expect(times).toHaveLength(25);
        expect(toAwsScheduleExpression(schedule).match(/\?/g)).toHaveLength(1);
      }),
      { numRuns: 40 },
    );
  });
});

describe('fireTimesBetween', () => {
  const between = (expression: string, timezone: string, after: string, until: string): string[] =>
    fireTimesBetween(parseCron(expression), timezone, { after: new Date(after), until: new Date(until) }).map((date) =>
      date.toISOString(),
    );

  it('returns every fire time of a 5-minute cron over seven days: 2,016, five minutes apart', () => {
    const times = between('*/5 * * * *', 'Asia/Tokyo', '2026-11-20T09:00:00Z', '2026-11-27T09:00:00Z');
    expect(times).toHaveLength(2016);
    expect(times[0]).toBe('2026-11-20T09:05:00.000Z');
    expect(times.at(-1)).toBe('2026-11-27T09:00:00.000Z');
    const gaps = new Set(times.slice(1).map((time, index) => Date.parse(time) - Date.parse(times[index] ?? '')));
    expect(gaps).toEqual(new Set([5 * 60_000]));
  });

  it('returns every fire time of a cron firing each minute over seven days across the end of daylight saving', () => {
    // 2026-11-01 01:00–02:00 is lived twice in New York and fires once: 60 fewer than 7 × 1,440.
    const times = between('* * * * *', 'America/New_York', '2026-10-29T00:00:00Z', '2026-11-05T00:00:00Z');
    expect(times).toHaveLength(7 * 1440 - 60);
    expect(new Set(times).size).toBe(times.length);
  });

  it('excludes `after` and includes `until`', () => {
    expect(between('0 9 * * *', 'UTC', '2026-01-01T09:00:00Z', '2026-01-03T09:00:00Z')).toEqual([
      '2026-01-02T09:00:00.000Z',
      '2026-01-03T09:00:00.000Z',
    ]);
    expect(between('0 9 * * *', 'UTC', '2026-01-01T09:00:00Z', '2026-01-02T08:59:59Z')).toEqual([]);
  });

  it('agrees with nextFireTimes', () => {
    const expression = '0,15,30 17 * * 1-5';
    const fromNext = fires(expression, 'Asia/Tokyo', '2026-11-20T00:00:00Z', 15);
    expect(between(expression, 'Asia/Tokyo', '2026-11-20T00:00:00Z', fromNext.at(-1) ?? '')).toEqual(fromNext);
  });

  it('refuses a span longer than eight days, naming until', () => {
    const error = validationErrorOf(() =>
      fireTimesBetween(parseCron('0 9 * * *'), 'UTC', {
        after: new Date('2026-01-01T00:00:00Z'),
        until: new Date('2026-01-09T00:00:01Z'),
      }),
    );
    expect(error.issues).toEqual([{ path: 'until', message: "must be at most 8 days after 'after'" }]);
  });

  it('matches a minute-by-minute scan of the wall clock around changes of offset', () => {
    // The scan is the rule itself: a minute fires when its wall clock matches, once per wall clock (the first).
    // Each zone with a day of its changes (Lord Howe moves by half an hour; Tokyo has none).
    const changes = [
      ['America/New_York', '2026-03-08T00:00:00Z'],
      ['America/New_York', '2026-11-01T00:00:00Z'],
      ['Europe/London', '2026-03-29T00:00:00Z'],
      ['Europe/London', '2026-10-25T00:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-05T00:00:00Z'],
      ['Australia/Lord_Howe', '2026-10-04T00:00:00Z'],
      ['Asia/Tokyo', '2026-11-27T00:00:00Z'],
    ] as const;
    const expression = fc
      .tuple(fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 6 }), fc.boolean())
      .map(([minutes, everyHour]) => `${minutes.sort((a, b) => a - b).join(',')} ${everyHour ? '*' : '0-3,12'} * * *`);
    fc.assert(
      fc.property(expression, fc.constantFrom(...changes), (text, [zone, change]) => {
        const after = new Date(Date.parse(change) - 86_400_000);
        const until = new Date(Date.parse(change) + 2 * 86_400_000);
        const schedule = parseCron(text);
        expect(fireTimesBetween(schedule, zone, { after, until })).toEqual(scanMinutes(schedule, zone, after, until));
      }),
      { numRuns: 28 },
    );
  });
});

/** Fire times by brute force: every whole minute in (after, until] whose wall clock matches, first occurrences. */
function scanMinutes(schedule: CronSchedule, timezone: string, after: Date, until: Date): Date[] {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const seen = new Set<string>();
  const times: Date[] = [];
  for (let instant = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000; instant <= until.getTime(); ) {
    const fields = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
    const wallClock = `${fields.year}-${fields.month}-${fields.day} ${fields.hour}:${fields.minute}`;
    if (
      !seen.has(wallClock) &&
      schedule.hours.includes(Number(fields.hour)) &&
      schedule.minutes.includes(Number(fields.minute))
    ) {
      times.push(new Date(instant));
    }
    seen.add(wallClock);
    instant += 60_000;
  }
  return times;
}
