import { ValidationError } from '#shared/domain/errors.ts';

/**
 * The business date of an instant: its calendar date in the group's time zone (not UTC), e.g. 2026-11-26T16:00Z
 * is 2026-11-27 in Asia/Tokyo.
 * Throws a ValidationError (path `timezone` or `scheduledTime`) for an unknown zone or an invalid instant.
 */
export function businessDateOf(instant: Date, timezone: string): string {
  if (Number.isNaN(instant.getTime())) throw ValidationError.of('scheduledTime', 'must be a valid instant');
  const parts = formatterFor(timezone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timezone);
  if (cached !== undefined) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  } catch (error) {
    throw new ValidationError([{ path: 'timezone', message: `'${timezone}' is not a known IANA time zone` }], {
      cause: error,
    });
  }
  formatters.set(timezone, formatter);
  return formatter;
}
