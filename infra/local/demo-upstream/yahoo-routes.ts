import { type DemoAnswer, jsonAnswer } from './demo-answer.ts';
import { indexOhlc, nikkeiPath } from './demo-indices.ts';
import type { DemoIssue } from './demo-issues.ts';
import { adjustmentMultiplier, type DemoMarket, equityBar } from './demo-market.ts';
import { unitRandom } from './demo-random.ts';
import {
  dateOf,
  dateOfDayNumber,
  dayNumberOf,
  demoSpan,
  tradingDayNumbers,
  tradingIndexOnOrAfter,
  tradingIndexOnOrBefore,
} from './market-calendar.ts';
import { yahooMeta } from './yahoo-meta.ts';

/** Yahoo's answer for a symbol it has no data for (yahoo-finance.md §1). */
const notFound = {
  chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } },
};
const secondsPerDay = 86_400;
const nikkeiSymbol = '^N225';

function badRequest(description: string): DemoAnswer {
  return jsonAnswer(400, { chart: { result: null, error: { code: 'Bad Request', description } } });
}

/** One daily bar as Yahoo sends it: split-adjusted, float32 noise included, `null` when there was no trade. */
interface YahooBar {
  readonly open: number | null;
  readonly high: number | null;
  readonly low: number | null;
  readonly close: number | null;
  readonly volume: number | null;
  readonly adjclose: number | null;
}

/** Trading indexes of an issue's ex-dividend dates: the business day before each half-year record date. */
function exDividendIndexes(issue: DemoIssue): number[] {
  if (!issue.paysDividend) return [];
  const indexes: number[] = [];
  for (let year = Number(demoSpan.first.slice(0, 4)); year <= Number(demoSpan.last.slice(0, 4)); year += 1) {
    for (const month of [issue.fiscalYearEndMonth, issue.fiscalYearEndMonth + 6]) {
      indexes.push(tradingIndexOnOrBefore(dateOf(year, month + 1, 0)) - 1);
    }
  }
  return indexes.filter((index) => index > 0).sort((left, right) => left - right);
}

const dividendAdjustment = 0.99;

function issueBar(issue: DemoIssue, tradingIndex: number, exDividends: readonly number[]): YahooBar {
  const bar = equityBar(issue, tradingIndex);
  const number = (value: string | number | null | undefined): number | null =>
    typeof value === 'number' ? Math.fround(value) : null;
  const close = number(bar.AdjC);
  const laterDividends = exDividends.filter((index) => index > tradingIndex).length;
  return {
    open: number(bar.AdjO),
    high: number(bar.AdjH),
    low: number(bar.AdjL),
    close,
    volume: typeof bar.AdjVo === 'number' ? bar.AdjVo : null,
    adjclose: close === null ? null : Math.fround(close * dividendAdjustment ** laterDividends),
  };
}

function nikkeiBar(tradingIndex: number): YahooBar {
  const { O, H, L, C } = indexOhlc(nikkeiPath, tradingIndex);
  const day = tradingDayNumbers[tradingIndex] ?? 0;
  const volume = Math.round(80_000_000 + 80_000_000 * unitRandom(nikkeiPath.seed, day, 901));
  const close = Math.fround(C);
  return { open: Math.fround(O), high: Math.fround(H), low: Math.fround(L), close, volume, adjclose: close };
}

/** Reads `period1`/`period2` (unix seconds); period2 defaults to now and period1 to 31 days before it. */
function readPeriods(search: URLSearchParams): { period1: number; period2: number } | string {
  const period2 = Number(search.get('period2') ?? Math.floor(Date.now() / 1000));
  const period1 = Number(search.get('period1') ?? period2 - 31 * secondsPerDay);
  if (!Number.isSafeInteger(period1) || !Number.isSafeInteger(period2))
    return 'Invalid input - period1 and period2 must be unix seconds';
  if (period1 > period2)
    return `Invalid input - start date cannot be after end date. startDate = ${period1}, endDate = ${period2}`;
  return { period1, period2 };
}

/** The trading indexes whose bar opens (00:00 UTC = 09:00 JST) in [period1, period2). */
function barRange(period1: number, period2: number): { start: number; end: number } {
  const clampDay = (day: number): number =>
    Math.min(Math.max(day, dayNumberOf(demoSpan.first) - 1), dayNumberOf(demoSpan.last) + 1);
  const start = tradingIndexOnOrAfter(dateOfDayNumber(clampDay(Math.ceil(period1 / secondsPerDay))));
  const end = tradingIndexOnOrBefore(dateOfDayNumber(clampDay(Math.ceil(period2 / secondsPerDay) - 1))) + 1;
  return { start, end: Math.max(start, end) };
}

/** Answers `GET /v8/finance/chart/{symbol}` with the shape of the recorded answers (test/fixtures/yahoo). */
export function answerYahooChart(encodedSymbol: string, search: URLSearchParams, market: DemoMarket): DemoAnswer {
  const symbol = decodeSymbol(encodedSymbol);
  const issue = market.issueBySymbol(symbol);
  if (issue === undefined && symbol !== nikkeiSymbol) return jsonAnswer(404, notFound);
  const interval = search.get('interval') ?? '1d';
  if (interval !== '1d') return badRequest(`Invalid input - interval=${interval} is not served by the demo upstream`);
  const periods = readPeriods(search);
  if (typeof periods === 'string') return badRequest(periods);
  const { start, end } = barRange(periods.period1, periods.period2);
  const exDividends = issue === undefined ? [] : exDividendIndexes(issue);
  const barOf = (tradingIndex: number): YahooBar =>
    issue === undefined ? nikkeiBar(tradingIndex) : issueBar(issue, tradingIndex, exDividends);
  const timestamps: number[] = [];
  const bars: YahooBar[] = [];
  for (let tradingIndex = start; tradingIndex < end; tradingIndex += 1) {
    timestamps.push((tradingDayNumbers[tradingIndex] ?? 0) * secondsPerDay);
    bars.push(barOf(tradingIndex));
  }
  const lastIndex = Math.max(0, Math.min(end, tradingDayNumbers.length) - 1);
  const previous = start > 0 ? barOf(start - 1).close : null;
  const meta = yahooMeta({ symbol, issue, bars, lastBar: bars.at(-1) ?? barOf(lastIndex), lastIndex, previous });
  const events =
    issue === undefined ? undefined : chartEvents(issue, exDividends, start, end, search.get('events') ?? '');
  const column = (field: keyof YahooBar): (number | null)[] => bars.map((bar) => bar[field]);
  const indicators =
    bars.length === 0
      ? { quote: [{}], adjclose: [{}] }
      : {
          quote: [
            {
              open: column('open'),
              high: column('high'),
              low: column('low'),
              close: column('close'),
              volume: column('volume'),
            },
          ],
          adjclose: [{ adjclose: column('adjclose') }],
        };
  const result = { meta, ...(bars.length === 0 ? {} : { timestamp: timestamps }), ...(events ?? {}), indicators };
  return jsonAnswer(200, { chart: { result: [result], error: null } });
}

function decodeSymbol(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    // A broken escape names no symbol: answered like any unknown one.
    return '';
  }
}

/** Dividend and split events in [start, end), keyed by timestamp as Yahoo sends them; undefined when none. */
function chartEvents(
  issue: DemoIssue,
  exDividends: readonly number[],
  start: number,
  end: number,
  requested: string,
): { events: Record<string, Record<string, unknown>> } | undefined {
  const timestampOf = (tradingIndex: number): number => (tradingDayNumbers[tradingIndex] ?? 0) * secondsPerDay;
  const dividends: Record<string, unknown> = {};
  if (requested.includes('div')) {
    for (const index of exDividends.filter((each) => each >= start && each < end)) {
      const amount = (Math.round(issue.base * 0.05) / 4) * adjustmentMultiplier(issue, index);
      dividends[String(timestampOf(index))] = { amount, date: timestampOf(index) };
    }
  }
  const splits: Record<string, unknown> = {};
  if (requested.includes('split') && issue.splitIndex >= start && issue.splitIndex < end) {
    const date = timestampOf(issue.splitIndex);
    splits[String(date)] = { date, numerator: 2, denominator: 1, splitRatio: '2:1' };
  }
  const events: Record<string, Record<string, unknown>> = {};
  if (Object.keys(dividends).length > 0) events.dividends = dividends;
  if (Object.keys(splits).length > 0) events.splits = splits;
  return Object.keys(events).length === 0 ? undefined : { events };
}
