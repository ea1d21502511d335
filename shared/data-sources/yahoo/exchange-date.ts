const formatters = new Map<string, Intl.DateTimeFormat>();

/** Where an exchange is: its IANA zone (`Asia/Tokyo`) and Yahoo's current UTC offset in seconds (`32400`). */
export interface ExchangeZone {
  readonly timeZone?: string | null | undefined;
  readonly gmtoffsetSeconds?: number | null | undefined;
}

/**
 * The calendar date (`YYYY-MM-DD`) of an instant at the exchange, or undefined when the zone is unknown. The IANA
 * zone wins because `gmtoffset` is the offset when Yahoo answered, not when the bar traded (daylight saving).
 */
export function exchangeDate(epochSeconds: number, zone: ExchangeZone): string | undefined {
  const formatter = zone.timeZone ? formatterFor(zone.timeZone) : undefined;
  if (formatter !== undefined) {
    const parts = Object.fromEntries(
      formatter.formatToParts(epochSeconds * 1000).map((part) => [part.type, part.value]),
    );
    return `${parts.year}-${parts.month}-${parts.day}`;
  }
  if (typeof zone.gmtoffsetSeconds !== 'number') return undefined;
  return new Date((epochSeconds + zone.gmtoffsetSeconds) * 1000).toISOString().slice(0, 10);
}

function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  const cached = formatters.get(timeZone);
  if (cached !== undefined) return cached;
  try {
    const formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
    return formatter;
  } catch {
    // An unknown zone name: fall back to gmtoffset.
    return undefined;
  }
}
