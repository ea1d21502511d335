/**
 * IANA time zones through Intl only (no tz database of our own). A "wall clock" here is a local date and time
 * encoded as the epoch milliseconds of the same fields in UTC, so plain arithmetic and croner can run on it
 * without any daylight-saving rules.
 */
import { ValidationError } from '#shared/domain/errors.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** Whether `timezone` is an IANA zone name (e.g. `Asia/Tokyo`) that Intl knows, spelt as AWS expects. */
export function isValidTimezone(timezone: string): boolean {
  // Intl also takes UTC offsets ('+09:00') and ignores case ('asia/tokyo'); EventBridge Scheduler wants the name.
  if (timezone === '' || /^[+-]/.test(timezone)) return false;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  return resolved === timezone || resolved.toLowerCase() !== timezone.toLowerCase();
}

/** Throws ValidationError (path 'timezone') unless `timezone` is a valid IANA zone name. */
export function assertValidTimezone(timezone: string): void {
  if (!isValidTimezone(timezone)) {
    throw ValidationError.of('timezone', `'${timezone}' is not an IANA time zone name (e.g. Asia/Tokyo)`);
  }
}

/** The wall clock of `instantMs` in `timezone`, milliseconds kept. */
export function toWallClock(instantMs: number, timezone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timezone).formatToParts(instantMs)) fields[part.type] = Number(part.value);
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
  const wholeSeconds = Date.UTC(year, month - 1, day, hour, minute, second);
  return wholeSeconds + (((instantMs % 1000) + 1000) % 1000);
}

const DAY_MS = 86_400_000;

/**
 * The first instant whose wall clock in `timezone` is `wallClockMs`, or undefined when that wall clock is skipped
 * (a spring-forward gap). A repeated wall clock (autumn fall-back) maps to its first occurrence.
 */
export function fromWallClock(wallClockMs: number, timezone: string): number | undefined {
  // A day either side is past any transition near this wall clock, so these are the offsets before and after it.
  const offsets = new Set(
    [wallClockMs - DAY_MS, wallClockMs, wallClockMs + DAY_MS].map((probe) => toWallClock(probe, timezone) - probe),
  );
  let earliest: number | undefined;
  for (const offset of offsets) {
    const instant = wallClockMs - offset;
    if (toWallClock(instant, timezone) === wallClockMs && (earliest === undefined || instant < earliest)) {
      earliest = instant;
    }
  }
  return earliest;
}

/** `2026-11-27T17:30:00+09:00`: the wall-clock time of `instant` in `timezone`, with its UTC offset. */
export function localIsoString(instant: Date, timezone: string): string {
  const instantMs = Math.floor(instant.getTime() / 1000) * 1000;
  const wallClockMs = toWallClock(instantMs, timezone);
  const offsetMinutes = Math.round((wallClockMs - instantMs) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  return `${new Date(wallClockMs).toISOString().slice(0, 19)}${sign}${hours}:${minutes}`;
}
