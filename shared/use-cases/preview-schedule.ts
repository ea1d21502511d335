import { businessDateOf } from '#shared/domain/business-date.ts';
import { assertValidTimezone, nextFireTimes, parseCron, toAwsScheduleExpression } from '#shared/domain/cron.ts';
import { localIsoString } from '#shared/domain/cron-timezone.ts';
import { MarketCalendarSchema } from '#shared/domain/job-group.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { TradingCalendar } from '#shared/ports/trading-calendar.ts';
import * as z from '#shared/zod.ts';

export const SchedulePreviewRequestSchema = z.strictObject({
  schedule: z.string().check(z.minLength(1), z.maxLength(200)),
  timezone: z._default(z.string().check(z.minLength(1), z.maxLength(64)), 'Asia/Tokyo'),
  count: z._default(z.int().check(z.gte(1), z.lte(100)), 5),
  /** Preview from this instant instead of now. */
  after: z.optional(z.iso.datetime({ offset: true })),
  /** `jpx`: mark fire times on days the stored JPX calendar says the market is closed. @default none */
  calendar: z._default(MarketCalendarSchema, 'none'),
});
export type SchedulePreviewRequest = z.infer<typeof SchedulePreviewRequestSchema>;

export const SchedulePreviewSchema = z.object({
  schedule: z.string(),
  timezone: z.string(),
  awsExpression: z.string(),
  nextFireTimes: z.array(
    z.object({
      at: z.string().check(z.describe('the fire instant in UTC')),
      local: z.string().check(z.describe('the same instant in the schedule timezone, with its offset')),
      businessDate: z.string(),
      /** The fire time does not dispatch: its date is a JPX non-trading day (with `calendar: jpx`). */
      skip: z.optional(z.literal('market-holiday')),
    }),
  ),
  /** With `calendar: jpx`: whether the stored JPX calendar covers every fire time shown (those it does not, it cannot mark). */
  calendarCovered: z.optional(z.boolean()),
});
export type SchedulePreview = z.infer<typeof SchedulePreviewSchema>;

/**
 * Validates a cron and timezone and shows what AWS will be told and when it will fire (DST-aware); with
 * `calendar: jpx`, the fire times on days the stored JPX calendar marks closed are marked `skip: market-holiday`, as
 * the dispatcher will skip them.
 */
export async function previewSchedule(
  request: SchedulePreviewRequest,
  deps: { clock: Clock; tradingCalendar: TradingCalendar },
): Promise<SchedulePreview> {
  const cron = parseCron(request.schedule);
  assertValidTimezone(request.timezone);
  const after = request.after === undefined ? deps.clock.now() : new Date(request.after);
  const fireTimes = nextFireTimes(cron, request.timezone, { after, count: request.count }).map((instant) => ({
    at: instant.toISOString(),
    local: localIsoString(instant, request.timezone),
    businessDate: businessDateOf(instant, request.timezone),
  }));
  const preview = {
    schedule: cron.expression,
    timezone: request.timezone,
    awsExpression: toAwsScheduleExpression(cron),
  };
  if (request.calendar === 'none' || fireTimes.length === 0) return { ...preview, nextFireTimes: fireTimes };
  const calendar = await tradingDays(
    fireTimes.map((fireTime) => fireTime.businessDate),
    deps.tradingCalendar,
  );
  return {
    ...preview,
    nextFireTimes: fireTimes.map((fireTime) =>
      calendar.days.get(fireTime.businessDate) === false ? { ...fireTime, skip: 'market-holiday' as const } : fireTime,
    ),
    calendarCovered: calendar.covered,
  };
}

/**
 * What the stored calendar says of each date (true: trading day; false: closed; absent: not covered), read over the
 * whole span at once, or date by date when it does not cover the span.
 */
async function tradingDays(
  dates: readonly string[],
  tradingCalendar: TradingCalendar,
): Promise<{ days: ReadonlyMap<string, boolean>; covered: boolean }> {
  const sorted = [...new Set(dates)].sort();
  const whole = await tradingCalendar.businessDays(sorted[0] as string, sorted.at(-1) as string);
  if (whole !== undefined) {
    const open = new Set(whole);
    return { days: new Map(sorted.map((date) => [date, open.has(date)])), covered: true };
  }
  const days = new Map<string, boolean>();
  for (const date of sorted) {
    const open = await tradingCalendar.businessDays(date, date);
    if (open !== undefined) days.set(date, open.length > 0);
  }
  return { days, covered: false };
}
