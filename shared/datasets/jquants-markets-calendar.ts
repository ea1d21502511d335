import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, storedRow } from '#shared/datasets/fields.ts';
import { dateRangeShape, withDateSelectionRules } from '#shared/datasets/params-rules.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import * as z from '#shared/zod.ts';

/** `HolDiv`: `0` non-business day, `1` business day, `2` TSE half day, `3` holiday with OSE holiday trading. */
export const HolidayDivisionSchema = z.enum(['0', '1', '2', '3']);
export type HolidayDivision = z.infer<typeof HolidayDivisionSchema>;

/** Params of `/markets/calendar`: any of `hol_div`, `from`, `to` (upstream names); none returns every date. */
export const MarketsCalendarParamsSchema = withDateSelectionRules(
  () => z.strictObject({ hol_div: z.optional(HolidayDivisionSchema), ...dateRangeShape }),
  {},
);
export type MarketsCalendarParams = z.infer<typeof MarketsCalendarParamsSchema>;

/** One calendar day: `date` and `holidayDivision` (see HolidayDivisionSchema). */
export const MarketsCalendarRowSchema = storedRow(() => ({
  date: CalendarDateSchema,
  holidayDivision: HolidayDivisionSchema,
}));
export type MarketsCalendarRow = z.infer<typeof MarketsCalendarRowSchema>;

/** True when equities trade that day (`1` business day, `2` half day). */
export function isTradingDay(holidayDivision: HolidayDivision): boolean {
  return holidayDivision === '1' || holidayDivision === '2';
}

/** Days before the business date a default run refetches, so recent corrections land too. */
const defaultLookbackDays = 30;
/** Days after it: JPX publishes next year's calendar at the end of March. */
const defaultLookaheadDays = 365;

/** `jquants.markets.calendar`: the TSE/OSE trading calendar, the source of `{{previousBusinessDay}}`. */
export const jquantsMarketsCalendar: DatasetDefinition<MarketsCalendarParams, MarketsCalendarRow> = {
  id: 'jquants.markets.calendar',
  dataSource: 'jquants',
  description: 'Trading calendar: business days, half days and holidays.',
  endpoint: '/markets/calendar',
  paramsSchema: MarketsCalendarParamsSchema,
  rowSchema: MarketsCalendarRowSchema,
  naturalKey: ['date'],
  valueFields: [],
  upstreamFields: { date: 'Date', holidayDivision: 'HolDiv' },
  minimumPlan: 'free',
  dateWide: false,
  defaultParams: (businessDate) => ({
    from: addDays(businessDate, -defaultLookbackDays),
    to: addDays(businessDate, defaultLookaheadDays),
  }),
};
