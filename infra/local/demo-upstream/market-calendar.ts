/**
 * The JPX trading calendar of the demo: weekends, Japanese national holidays (with substitute and "citizens'"
 * holidays) and the exchange's year-end closure (Dec 31 – Jan 3). Everything is precomputed once for the demo's span,
 * so a lookup is an array read.
 */

/** First and last date the demo has data for; answers outside are empty. */
export const demoSpan = { first: '2020-01-01', last: '2027-12-31' } as const;

const millisecondsPerDay = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumberOf(date: string): number {
  return (
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / millisecondsPerDay
  );
}

/** `YYYY-MM-DD` of a day number. */
export function dateOfDayNumber(day: number): string {
  return new Date(day * millisecondsPerDay).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` of a year, a month (1–12, may overflow into the next year) and a day. */
export function dateOf(year: number, month: number, day: number): string {
  return dateOfDayNumber(Date.UTC(year, month - 1, day) / millisecondsPerDay);
}

/** Weekday of a day number: 0 Sunday … 6 Saturday. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The Tokyo Olympics moved three holidays in 2020 and 2021 (Act on Special Measures). */
const olympicHolidays: Readonly<Record<number, { marine: string; sports: string; mountain: string }>> = {
  2020: { marine: '2020-07-23', sports: '2020-07-24', mountain: '2020-08-10' },
  2021: { marine: '2021-07-22', sports: '2021-07-23', mountain: '2021-08-08' },
};

/** The national holidays of a year (Act on National Holidays, as amended for 2020 onwards). */
export function japaneseHolidays(year: number): Set<string> {
  const nthMonday = (month: number, nth: number): string => {
    const first = dayNumberOf(dateOf(year, month, 1));
    return dateOfDayNumber(first + ((8 - weekdayOf(first)) % 7) + 7 * (nth - 1));
  };
  const sinceBase = year - 1980;
  const vernal = Math.floor(20.8431 + 0.242194 * sinceBase - Math.floor(sinceBase / 4));
  const autumnal = Math.floor(23.2488 + 0.242194 * sinceBase - Math.floor(sinceBase / 4));
  const moved = olympicHolidays[year];
  const base = [
    dateOf(year, 1, 1),
    nthMonday(1, 2),
    dateOf(year, 2, 11),
    dateOf(year, 2, 23),
    dateOf(year, 3, vernal),
    dateOf(year, 4, 29),
    dateOf(year, 5, 3),
    dateOf(year, 5, 4),
    dateOf(year, 5, 5),
    moved?.marine ?? nthMonday(7, 3),
    moved?.mountain ?? dateOf(year, 8, 11),
    nthMonday(9, 3),
    dateOf(year, 9, autumnal),
    moved?.sports ?? nthMonday(10, 2),
    dateOf(year, 11, 3),
    dateOf(year, 11, 23),
  ];
  const holidays = new Set(base);
  for (const holiday of base) {
    const day = dayNumberOf(holiday);
    if (weekdayOf(day) !== 0) continue;
    // A Sunday holiday moves to the next day that is not itself a holiday.
    let substitute = day + 1;
    while (holidays.has(dateOfDayNumber(substitute))) substitute += 1;
    holidays.add(dateOfDayNumber(substitute));
  }
  for (const holiday of base) {
    // A weekday between two holidays is a holiday too (September 2026: the 22nd).
    const between = dayNumberOf(holiday) + 1;
    const betweenDate = dateOfDayNumber(between);
    if (!holidays.has(betweenDate) && weekdayOf(between) !== 0 && holidays.has(dateOfDayNumber(between + 1))) {
      holidays.add(betweenDate);
    }
  }
  return holidays;
}

/** `HolDiv` of a date: `1` business day, `0` non-business day (the TSE has no half-day sessions, so no `2`). */
export type DemoHolidayDivision = '0' | '1';

function divisionOf(date: string, holidays: ReadonlySet<string>): DemoHolidayDivision {
  const weekday = weekdayOf(dayNumberOf(date));
  const monthDay = date.slice(5);
  const yearEnd = monthDay === '12-31' || monthDay === '01-01' || monthDay === '01-02' || monthDay === '01-03';
  return weekday === 0 || weekday === 6 || yearEnd || holidays.has(date) ? '0' : '1';
}

const firstDay = dayNumberOf(demoSpan.first);
const lastDay = dayNumberOf(demoSpan.last);
const spanDates: string[] = [];
const spanDivisions: DemoHolidayDivision[] = [];
const tradingDateList: string[] = [];
const tradingDayNumberList: number[] = [];
/** Per span day: the index in tradingDateList of the first trading day on or after it. */
const nextTradingIndex = new Int32Array(lastDay - firstDay + 2);
{
  let holidays = new Set<string>();
  let holidayYear = 0;
  for (let day = firstDay; day <= lastDay; day += 1) {
    const date = dateOfDayNumber(day);
    const year = Number(date.slice(0, 4));
    if (year !== holidayYear) {
      holidays = japaneseHolidays(year);
      holidayYear = year;
    }
    const division = divisionOf(date, holidays);
    spanDates.push(date);
    spanDivisions.push(division);
    if (division === '1') {
      tradingDateList.push(date);
      tradingDayNumberList.push(day);
    }
  }
  let next = tradingDateList.length;
  nextTradingIndex[lastDay - firstDay + 1] = next;
  for (let offset = lastDay - firstDay; offset >= 0; offset -= 1) {
    if (spanDivisions[offset] === '1') next -= 1;
    nextTradingIndex[offset] = next;
  }
}

/** Every trading day of the span, ascending; a trading index is a position in this list. */
export const tradingDates: readonly string[] = tradingDateList;
/** Day numbers of tradingDates. */
export const tradingDayNumbers: readonly number[] = tradingDayNumberList;

/** Every day of the span with its `HolDiv`, ascending. */
export function calendarDays(): {
  readonly dates: readonly string[];
  readonly divisions: readonly DemoHolidayDivision[];
} {
  return { dates: spanDates, divisions: spanDivisions };
}

/** Index in tradingDates of the first trading day on or after `date` (tradingDates.length when none). */
export function tradingIndexOnOrAfter(date: string): number {
  const offset = dayNumberOf(date) - firstDay;
  if (offset < 0) return 0;
  return nextTradingIndex[Math.min(offset, lastDay - firstDay + 1)] ?? tradingDateList.length;
}

/** Index in tradingDates of the last trading day on or before `date` (-1 when none). */
export function tradingIndexOnOrBefore(date: string): number {
  return tradingIndexOnOrAfter(dateOfDayNumber(dayNumberOf(date) + 1)) - 1;
}

/** Index in tradingDates of `date`, or -1 when it is not a trading day of the span. */
export function tradingIndexOf(date: string): number {
  const index = tradingIndexOnOrAfter(date);
  return tradingDateList[index] === date ? index : -1;
}

/** The trading indexes of the inclusive range [from, to] as [start, end) bounds. */
export function tradingRange(from: string, to: string): { readonly start: number; readonly end: number } {
  const start = tradingIndexOnOrAfter(from);
  return { start, end: Math.max(start, tradingIndexOnOrBefore(to) + 1) };
}
