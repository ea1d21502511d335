import { isCalendarDate } from '#shared/domain/calendar-date.ts';
import { demoSpan, tradingIndexOf, tradingRange } from './market-calendar.ts';

/** A request the demo answers with 400 `{"message": ...}`, as J-Quants does for bad or missing params. */
export class DemoBadRequestError extends Error {
  override readonly name = 'DemoBadRequestError';
}

/** A `YYYY-MM-DD` date from a `YYYYMMDD` or `YYYY-MM-DD` param; impossible dates (`20240230`) are refused. */
export function parseDateParam(name: string, value: string): string {
  const dashed = /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}` : value;
  if (!isCalendarDate(dashed)) {
    throw new DemoBadRequestError(`Invalid ${name}: '${value}' is not a date written YYYYMMDD or YYYY-MM-DD.`);
  }
  return dashed;
}

/** The params of a request, read by their upstream names (`code`, `date`, `from`, `to`, `hol_div`, …). */
export interface ParamReader {
  text(name: string): string | undefined;
  date(name: string): string | undefined;
  has(name: string): boolean;
}

/** Reads params from a query string; an empty value counts as absent, as it does for the real API. */
export function paramReader(search: URLSearchParams): ParamReader {
  const text = (name: string): string | undefined => {
    const value = search.get(name);
    return value === null || value === '' ? undefined : value;
  };
  return {
    text,
    date: (name) => {
      const value = text(name);
      return value === undefined ? undefined : parseDateParam(name, value);
    },
    has: (name) => text(name) !== undefined,
  };
}

/** Which rows an "as bars" request selects: one series over a date range, or every series on one date. */
export type Selection =
  | { readonly kind: 'series'; readonly selector: string; readonly from: string; readonly to: string }
  | { readonly kind: 'date'; readonly selector: string | undefined; readonly date: string };

/**
 * The allowed combinations of the "as bars" endpoints (jquants-v2.md §5): `<selector>`; `<selector>`+`date`;
 * `<selector>`+`from`/`to`; or `date` alone. A range is clamped to the demo's span.
 */
export function readSelection(params: ParamReader, selectorName: string): Selection {
  const selector = params.text(selectorName);
  const date = params.date('date');
  const from = params.date('from');
  const to = params.date('to');
  if (date !== undefined && (from !== undefined || to !== undefined)) {
    throw new DemoBadRequestError('The parameter date cannot be used together with from or to.');
  }
  if (selector === undefined && (from !== undefined || to !== undefined)) {
    throw new DemoBadRequestError(`The parameters from and to require the parameter ${selectorName}.`);
  }
  if (date !== undefined) return { kind: 'date', selector, date };
  if (selector === undefined) {
    throw new DemoBadRequestError(`This API requires at least 1 parameter as follows; date, ${selectorName}`);
  }
  return { kind: 'series', selector, ...clampRange(from, to) };
}

/** The trading indexes a selection covers, as [start, end) bounds (empty when its date is not a trading day). */
export function selectionBounds(selection: Selection): { readonly start: number; readonly end: number } {
  if (selection.kind === 'series') return tradingRange(selection.from, selection.to);
  const tradingIndex = tradingIndexOf(selection.date);
  return tradingIndex < 0 ? { start: 0, end: 0 } : { start: tradingIndex, end: tradingIndex + 1 };
}

/** An inclusive `from`/`to` range within the demo's span (`from` > `to` when nothing is left). */
export function clampRange(from: string | undefined, to: string | undefined): { from: string; to: string } {
  return {
    from: from === undefined || from < demoSpan.first ? demoSpan.first : from,
    to: to === undefined || to > demoSpan.last ? demoSpan.last : to,
  };
}

/** An issue code param: 4 or 5 upper-case letters or digits (`7203`, `72030`, `130A0`). */
export function checkIssueCode(code: string): string {
  if (!/^[0-9A-Z]{4,5}$/.test(code)) throw new DemoBadRequestError(`Invalid code: '${code}'.`);
  return code;
}

/** The calendar date in Tokyo now: what a request with no date means. */
export function todayInTokyo(): string {
  return new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
}
