import { addDays } from '#shared/domain/calendar-date.ts';
import type { DataSourceId, JquantsPlan } from '#shared/domain/data-source.ts';

/**
 * How far back, and how close to today, a data source's plan serves history (jquants-v2.md §2): Free 2 years with
 * the newest 12 weeks withheld, Light 5 years, Standard 10, Premium 20. Data outside answers 403. Yahoo publishes
 * daily history without such a window.
 */

/** The dates a plan serves, both ends included. */
export interface PlanWindow {
  readonly earliest: string;
  readonly latest: string;
}

const historyYears: Record<JquantsPlan, number> = { free: 2, light: 5, standard: 10, premium: 20 };
/** The Free plan withholds the newest 12 weeks. */
const withheldDays: Record<JquantsPlan, number> = { free: 12 * 7, light: 0, standard: 0, premium: 0 };

/** The window of a J-Quants plan on `today` (`YYYY-MM-DD`, JST); undefined for a source without one. */
export function planWindow(
  dataSource: DataSourceId,
  plan: JquantsPlan | undefined,
  today: string,
): PlanWindow | undefined {
  if (dataSource !== 'jquants' || plan === undefined) return undefined;
  return { earliest: yearsBefore(today, historyYears[plan]), latest: addDays(today, -withheldDays[plan]) };
}

/** True when every date of `from`…`to` lies in the window. */
export function withinWindow(window: PlanWindow, from: string, to: string): boolean {
  return from >= window.earliest && to <= window.latest;
}

/** The dates a job's params ask for: `date`, or `from`…`to`; undefined when they name none. */
export function requestedDates(params: Readonly<Record<string, unknown>>): { from: string; to: string } | undefined {
  if (typeof params.date === 'string') return { from: params.date, to: params.date };
  if (typeof params.from === 'string' || typeof params.to === 'string') {
    return { from: String(params.from ?? params.to), to: String(params.to ?? params.from) };
  }
  return undefined;
}

/** The same day `years` earlier (29 February falls back to the 28th). */
function yearsBefore(date: string, years: number): string {
  const [year, month, day] = date.split('-');
  const earlier = `${String(Number(year) - years).padStart(4, '0')}-${month}-${day}`;
  return month === '02' && day === '29' ? `${earlier.slice(0, 8)}28` : earlier;
}
