/**
 * TradingCalendar: business days from the stored `jquants.markets.calendar` rows (`holidayDivision` 1 or 2).
 * Guarantees: answers only from days the stored calendar covers; when the calendar does not reach back to the
 * answer it returns undefined, and the caller falls back to weekdays.
 */
export interface TradingCalendar {
  /** The last business day strictly before `date` (`YYYY-MM-DD`), or undefined when the stored calendar cannot tell. */
  previousBusinessDay(date: string): Promise<string | undefined>;
  /**
   * The business days of `from`…`to`, oldest first, or undefined when the stored calendar does not cover every day
   * of the range.
   */
  businessDays(from: string, to: string): Promise<string[] | undefined>;
}
