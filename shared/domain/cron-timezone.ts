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

/** A stretch of time with one UTC offset, from `fromMs` until the next stretch's start. */
interface OffsetStretch {
  readonly fromMs: number;
  readonly offsetMs: number;
}

/**
 * Maps wall clocks of `timezone` to instants: the first instant whose wall clock is the one given, or undefined
 * when that wall clock is skipped (a spring-forward gap). A repeated wall clock (autumn fall-back) maps to its first
 * occurrence. Built for walks through many wall clocks: the offsets around each wall-clock day are found once (a
 * change of offset to the millisecond, by bisection), and every wall clock of the day is then mapped by arithmetic.
 */
export function wallClockMapper(timezone: string): (wallClockMs: number) => number | undefined {
  const offsetAt = (instantMs: number): number => toWallClock(instantMs, timezone) - instantMs;
  const stretchesByDay = new Map<number, readonly OffsetStretch[]>();
  const stretchesAround = (day: number): readonly OffsetStretch[] => {
    // Offsets stay under a day, so every instant with a wall clock of this day lies between the first and last probe.
    const start = day * DAY_MS;
    const probes = [start - DAY_MS, start, start + DAY_MS, start + 2 * DAY_MS];
    const offsets = probes.map(offsetAt);
    const stretches: OffsetStretch[] = [{ fromMs: Number.NEGATIVE_INFINITY, offsetMs: offsets[0] ?? 0 }];
    for (let index = 1; index < probes.length; index++) {
      const before = offsets[index - 1] ?? 0;
      const after = offsets[index] ?? 0;
      if (after === before) continue;
      let lowMs = probes[index - 1] ?? 0;
      let highMs = probes[index] ?? 0;
      while (highMs - lowMs > 1) {
        const middleMs = Math.floor((lowMs + highMs) / 2);
        if (offsetAt(middleMs) === before) lowMs = middleMs;
        else highMs = middleMs;
      }
      stretches.push({ fromMs: highMs, offsetMs: after });
    }
    return stretches;
  };
  return (wallClockMs) => {
    const day = Math.floor(wallClockMs / DAY_MS);
    let stretches = stretchesByDay.get(day);
    if (stretches === undefined) {
      stretches = stretchesAround(day);
      stretchesByDay.set(day, stretches);
    }
    for (const [index, stretch] of stretches.entries()) {
      const instantMs = wallClockMs - stretch.offsetMs;
      const untilMs = stretches[index + 1]?.fromMs ?? Number.POSITIVE_INFINITY;
      // Stretches are oldest first, so the first that holds the wall clock holds its first occurrence.
      if (instantMs >= stretch.fromMs && instantMs < untilMs) return instantMs;
    }
    return undefined;
  };
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
