import { createDemoIssues, type DemoIssue } from './demo-issues.ts';
import { centredRandom, unitRandom } from './demo-random.ts';
import { tradingDates, tradingDayNumbers, tradingIndexOf } from './market-calendar.ts';
import { levelAt } from './price-path.ts';

/** One J-Quants row as sent on the wire. */
export type JquantsRow = Readonly<Record<string, string | number | null>>;

/** The demo's listed issues and their lookup. */
export interface DemoMarket {
  readonly issues: readonly DemoIssue[];
  /** The issue of a 5-character code, or of a 4-character one (its common stock, code + `0`). */
  issueByCode(code: string): DemoIssue | undefined;
  /** The issue whose Yahoo symbol this is (`7203.T`). */
  issueBySymbol(symbol: string): DemoIssue | undefined;
}

/** Builds the listed issues once; everything else is computed per request from them. */
export function createDemoMarket(listedCodeCount: number): DemoMarket {
  const issues = createDemoIssues(listedCodeCount);
  const byCode = new Map(issues.map((issue) => [issue.code, issue]));
  const bySymbol = new Map(issues.map((issue) => [issue.yahooSymbol, issue]));
  return {
    issues,
    issueByCode: (code) => byCode.get(code.length === 4 ? `${code}0` : code),
    issueBySymbol: (symbol) => bySymbol.get(symbol),
  };
}

/** The TSE system outage: the day is a business day, but every bar is a no-trade row (jquants-v2.md §5.2). */
export const outageIndex = tradingIndexOf('2020-10-01');

const barSalt = { open: 201, high: 202, low: 203, volume: 204, limit: 205, noTrade: 206 } as const;
const noTradeShare = 0.02;
const limitShare = 0.002;

/** Raw prices are the path's level times this: halved from a 1:2 split's ex-date on. */
export function rawMultiplier(issue: DemoIssue, tradingIndex: number): number {
  return issue.splitIndex >= 0 && tradingIndex >= issue.splitIndex ? 0.5 : 1;
}

/** Adjusted values are raw ones times this: J-Quants adjusts the history before a split to the latest basis. */
export function adjustmentMultiplier(issue: DemoIssue, tradingIndex: number): number {
  return issue.splitIndex >= 0 && tradingIndex < issue.splitIndex ? 0.5 : 1;
}

/** True when the issue did not trade that day (about 2 % of issue-days, never on a split's ex-date). */
export function isNoTradeDay(issue: DemoIssue, tradingIndex: number): boolean {
  if (tradingIndex === outageIndex) return true;
  const day = tradingDayNumbers[tradingIndex] ?? 0;
  return tradingIndex !== issue.splitIndex && unitRandom(issue.seed, day, barSalt.noTrade) < noTradeShare;
}

/** The `/equities/bars/daily` row of one issue on one trading day (fields of jquants-v2.md §5.2, Premium ones left out). */
export function equityBar(issue: DemoIssue, tradingIndex: number): JquantsRow {
  const date = tradingDates[tradingIndex] ?? '';
  const adjustment = adjustmentMultiplier(issue, tradingIndex);
  const exDate = tradingIndex === issue.splitIndex;
  if (isNoTradeDay(issue, tradingIndex)) {
    return {
      Date: date,
      Code: issue.code,
      O: null,
      H: null,
      L: null,
      C: null,
      UL: '0',
      LL: '0',
      Vo: null,
      Va: null,
      AdjFactor: 1,
      AdjO: null,
      AdjH: null,
      AdjL: null,
      AdjC: null,
      AdjVo: null,
      MktCap: null,
      ExRT: null,
    };
  }
  const day = tradingDayNumbers[tradingIndex] ?? 0;
  const multiplier = rawMultiplier(issue, tradingIndex);
  const previous = levelAt(issue, Math.max(0, tradingIndex - 1));
  const open = Math.max(
    1,
    Math.round(previous * multiplier * (1 + 0.006 * centredRandom(issue.seed, day, barSalt.open))),
  );
  let close = Math.max(1, Math.round(levelAt(issue, tradingIndex) * multiplier));
  const high = Math.round(Math.max(open, close) * (1 + 0.015 * unitRandom(issue.seed, day, barSalt.high)));
  const low = Math.max(1, Math.round(Math.min(open, close) * (1 - 0.015 * unitRandom(issue.seed, day, barSalt.low))));
  const limit = unitRandom(issue.seed, day, barSalt.limit);
  const limitUp = limit < limitShare;
  const limitDown = limit > 1 - limitShare;
  if (limitUp) close = high;
  if (limitDown) close = low;
  const volumeDraw = 0.3 + 1.4 * unitRandom(issue.seed, day, barSalt.volume);
  const volume = Math.max(100, Math.round((issue.baseVolume * volumeDraw) / multiplier / 100) * 100);
  return {
    Date: date,
    Code: issue.code,
    O: open,
    H: high,
    L: low,
    C: close,
    UL: limitUp ? '1' : '0',
    LL: limitDown ? '1' : '0',
    Vo: volume,
    Va: Math.round((volume * (open + high + low + close)) / 4),
    AdjFactor: exDate ? 0.5 : 1,
    AdjO: roundTenth(open * adjustment),
    AdjH: roundTenth(high * adjustment),
    AdjL: roundTenth(low * adjustment),
    AdjC: roundTenth(close * adjustment),
    AdjVo: Math.round(volume / adjustment),
    MktCap: Math.round((close * issue.sharesOutstanding) / multiplier / 1_000_000),
    ExRT: exDate ? '1' : null,
  };
}

function roundTenth(value: number): number {
  return Math.round(value * 10) / 10;
}
