/**
 * Calendar dates as `YYYY-MM-DD` strings: validation and day arithmetic, always in UTC so that the host's time zone
 * and daylight-saving changes can never shift a date.
 */

const calendarDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const millisecondsPerDay = 86_400_000;

/** True when `value` is a `YYYY-MM-DD` string naming a day that exists (2028-02-29 yes, 2027-02-29 no). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = calendarDatePattern.exec(value);
  if (match === null) return false;
  const [, year, month, day] = match.map(Number);
  if (year === undefined || month === undefined || day === undefined) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0–99 to 1900–1999; setting the full year keeps 0001–0099 literal.
  date.setUTCFullYear(year);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The date `days` calendar days after `date` (negative goes back); throws RangeError on a bad date or result. */
export function addDays(date: string, days: number): string {
  if (!Number.isSafeInteger(days)) throw new RangeError(`day offset must be an integer, got ${days}`);
  const result = new Date(toEpochMilliseconds(date) + days * millisecondsPerDay);
  const year = result.getUTCFullYear();
  if (Number.isNaN(year) || year < 1 || year > 9999) {
    throw new RangeError(`${date} ${days >= 0 ? '+' : '-'} ${Math.abs(days)} days is outside years 0001–9999`);
  }
  return formatCalendarDate(result);
}

/** The last Monday–Friday strictly before `date`: the business day when no trading calendar is stored. */
export function previousWeekday(date: string): string {
  let candidate = addDays(date, -1);
  while (isWeekend(candidate)) candidate = addDays(candidate, -1);
  return candidate;
}

/** True on Saturdays and Sundays. */
export function isWeekend(date: string): boolean {
  const weekday = new Date(toEpochMilliseconds(date)).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/** `YYYY-MM-DD` of a UTC instant. */
export function formatCalendarDate(instant: Date): string {
  const year = String(instant.getUTCFullYear()).padStart(4, '0');
  const month = String(instant.getUTCMonth() + 1).padStart(2, '0');
  const day = String(instant.getUTCDate()).padStart(2, '0');
  return `${year}-${month}-${day}`;
}

function toEpochMilliseconds(date: string): number {
  if (!isCalendarDate(date)) throw new RangeError(`'${date}' is not a calendar date (YYYY-MM-DD)`);
  const [year, month, day] = date.split('-').map(Number);
  const midnight = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1));
  midnight.setUTCFullYear(year ?? 0);
  return midnight.getTime();
}
