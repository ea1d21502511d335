import type { DemoIssue } from './demo-issues.ts';
import { unitRandom } from './demo-random.ts';
import { dateOf, demoSpan, tradingDates, tradingDayNumbers, tradingIndexOnOrAfter } from './market-calendar.ts';

/**
 * When each demo issue discloses: quarterly results within about three weeks after the 25th of the month following
 * each quarter end (so a results season has a few issues a day), plus an occasional forecast revision on any
 * trading day. Both `/fins/summary` and `/fins/dividend` read this schedule.
 */

/** One disclosure of one issue. */
export interface Disclosure {
  readonly issue: DemoIssue;
  readonly tradingIndex: number;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly kind: 'results' | 'revision';
  /** Quarter of the fiscal year the results cover: 1–3, or 4 for the full year (a revision is about the full year). */
  readonly quarter: 1 | 2 | 3 | 4;
  /** Year and month the covered period ends (a revision: the current fiscal year's end). */
  readonly periodEndYear: number;
  readonly periodEndMonth: number;
}

const disclosureSalt = { results: 401, revision: 402 } as const;
const resultsWindowTradingDays = 15;
const revisionShare = 0.006;

/** Quarter (1–4) a period ending in `month` is of a fiscal year ending in `fiscalYearEndMonth`; 0 if none. */
function quarterEndingIn(issue: DemoIssue, month: number): 0 | 1 | 2 | 3 | 4 {
  const monthsAfterYearEnd = (month - issue.fiscalYearEndMonth + 12) % 12;
  if (monthsAfterYearEnd % 3 !== 0) return 0;
  return monthsAfterYearEnd === 0 ? 4 : ((monthsAfterYearEnd / 3) as 1 | 2 | 3);
}

/** Trading index of the results disclosure for the quarter ending in (year, month). */
function resultsIndex(issue: DemoIssue, year: number, month: number): number {
  const windowOpens = dateOf(year, month + 1, 25);
  // Results of quarters whose window opens before the demo's span are not in it.
  if (windowOpens < demoSpan.first) return Number.POSITIVE_INFINITY;
  const draw = unitRandom(issue.seed, year * 12 + month, disclosureSalt.results);
  return tradingIndexOnOrAfter(windowOpens) + Math.floor(draw * resultsWindowTradingDays);
}

function resultsFor(issue: DemoIssue, year: number, month: number): Disclosure | undefined {
  const quarter = quarterEndingIn(issue, month);
  if (quarter === 0) return undefined;
  const tradingIndex = resultsIndex(issue, year, month);
  const date = tradingDates[tradingIndex];
  if (date === undefined) return undefined;
  return { issue, tradingIndex, date, kind: 'results', quarter, periodEndYear: year, periodEndMonth: month };
}

function revisionOn(issue: DemoIssue, tradingIndex: number): Disclosure | undefined {
  const day = tradingDayNumbers[tradingIndex];
  const date = tradingDates[tradingIndex];
  if (day === undefined || date === undefined) return undefined;
  if (unitRandom(issue.seed, day, disclosureSalt.revision) >= revisionShare) return undefined;
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const fiscalYearEnd = issue.fiscalYearEndMonth;
  return {
    issue,
    tradingIndex,
    date,
    kind: 'revision',
    quarter: 4,
    periodEndYear: month <= fiscalYearEnd ? year : year + 1,
    periodEndMonth: fiscalYearEnd,
  };
}

/** The disclosures of an issue on one trading day (results first). */
export function disclosuresOn(issue: DemoIssue, tradingIndex: number): Disclosure[] {
  const date = tradingDates[tradingIndex];
  if (date === undefined) return [];
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const found: Disclosure[] = [];
  for (const monthsBack of [2, 1]) {
    const endYear = month - monthsBack < 1 ? year - 1 : year;
    const endMonth = ((month - monthsBack + 11) % 12) + 1;
    const results = resultsFor(issue, endYear, endMonth);
    if (results?.tradingIndex === tradingIndex) found.push(results);
  }
  if (found.length === 0) {
    const revision = revisionOn(issue, tradingIndex);
    if (revision !== undefined) found.push(revision);
  }
  return found;
}

/** Every disclosure of an issue whose trading index is in [start, end), in date order. */
export function disclosuresOfIssue(issue: DemoIssue, start: number, end: number): Disclosure[] {
  const found: Disclosure[] = [];
  const firstYear = Number((tradingDates[0] ?? '2020').slice(0, 4)) - 1;
  const lastYear = Number((tradingDates.at(-1) ?? '2027').slice(0, 4));
  const resultDays = new Set<number>();
  for (let year = firstYear; year <= lastYear; year += 1) {
    for (let month = 1; month <= 12; month += 1) {
      const results = resultsFor(issue, year, month);
      if (results === undefined || results.tradingIndex < start || results.tradingIndex >= end) continue;
      found.push(results);
      resultDays.add(results.tradingIndex);
    }
  }
  for (let tradingIndex = start; tradingIndex < end; tradingIndex += 1) {
    if (resultDays.has(tradingIndex)) continue;
    const revision = revisionOn(issue, tradingIndex);
    if (revision !== undefined) found.push(revision);
  }
  return found.sort((left, right) => left.tradingIndex - right.tradingIndex);
}

/** The `DiscNo` of a disclosure: its date and a per-issue sequence, unique and ascending by date. */
export function disclosureNumber(disclosure: Disclosure): string {
  const sequence = disclosure.issue.index * 2 + (disclosure.kind === 'revision' ? 1 : 0);
  return `${disclosure.date.replaceAll('-', '')}${String(sequence).padStart(6, '0')}`;
}
