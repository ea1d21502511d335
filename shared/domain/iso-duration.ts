import * as z from '#shared/zod.ts';

/**
 * ISO 8601 durations of fixed length: weeks, days, hours, minutes and seconds (`PT6H`, `P1DT12H`, `PT90M`). Years
 * and months are refused: their length depends on the calendar, and a deadline must mean the same span every time.
 */
const durationPattern =
  /^P(?:(?<weeks>\d+)W)?(?:(?<days>\d+)D)?(?:T(?:(?<hours>\d+)H)?(?:(?<minutes>\d+)M)?(?:(?<seconds>\d+(?:\.\d+)?)S)?)?$/;

const msPer = { weeks: 604_800_000, days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1_000 } as const;

/** Milliseconds of a duration such as `PT6H`, or undefined when it is not one (or is zero). */
export function durationMs(text: string): number | undefined {
  const match = durationPattern.exec(text);
  if (match?.groups === undefined || text === 'P' || text.endsWith('T')) return undefined;
  let total = 0;
  for (const [unit, ms] of Object.entries(msPer)) {
    const value = match.groups[unit];
    if (value !== undefined) total += Number(value) * ms;
  }
  return total > 0 && Number.isFinite(total) ? total : undefined;
}

/** A positive ISO 8601 duration without years or months, e.g. `PT6H`. */
export const IsoDurationSchema = z.string().check(
  z.refine((text) => durationMs(text) !== undefined, {
    message: 'must be a positive ISO 8601 duration in weeks, days, hours, minutes or seconds, e.g. PT6H or P1DT12H',
  }),
);
