/** One daily bar of a hand-made chart answer; unset prices default to a plausible Toyota bar. */
export interface ChartBarSpec {
  /** ISO instant of the bar's timestamp. */
  readonly at: string;
  readonly open?: number | null;
  readonly high?: number | null;
  readonly low?: number | null;
  readonly close?: number | null;
  readonly volume?: number | null;
  readonly adjclose?: number | null;
}

/** What to change in a hand-made answer. */
export interface ChartAnswerOverrides {
  readonly bars?: readonly ChartBarSpec[];
  /** Merged over a complete Tokyo meta (7203.T, JPY, Asia/Tokyo, gmtoffset 32400). */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Leave `indicators.adjclose` out, as Yahoo sometimes does. */
  readonly withoutAdjclose?: boolean;
}

const epochSeconds = (iso: string): number => Date.parse(iso) / 1000;

/** A trading period, from ISO instants. */
export function aTradingPeriod(start: string, end: string): Record<string, unknown> {
  return { timezone: 'JST', start: epochSeconds(start), end: epochSeconds(end), gmtoffset: 32400 };
}

/**
 * A chart answer body in Yahoo's shape (yahoo-finance.md §1) that passes yahoo-finance2's schema: by default a Tokyo
 * listing whose current session (2026-02-27) is long closed.
 */
export function aChartAnswer(overrides: ChartAnswerOverrides = {}): unknown {
  const bars = overrides.bars ?? [{ at: '2026-02-27T00:00:00Z' }];
  const column = (pick: (bar: ChartBarSpec) => number | null | undefined, fallback: number): (number | null)[] =>
    bars.map((bar) => {
      const value = pick(bar);
      return value === undefined ? fallback : value;
    });
  const session = aTradingPeriod('2026-02-27T00:00:00Z', '2026-02-27T06:30:00Z');
  const meta = {
    currency: 'JPY',
    symbol: '7203.T',
    exchangeName: 'JPX',
    fullExchangeName: 'Tokyo',
    instrumentType: 'EQUITY',
    firstTradeDate: 946944000,
    regularMarketTime: epochSeconds('2026-02-27T06:30:00Z'),
    hasPrePostMarketData: false,
    gmtoffset: 32400,
    timezone: 'JST',
    exchangeTimezoneName: 'Asia/Tokyo',
    regularMarketPrice: 2940,
    priceHint: 2,
    currentTradingPeriod: { pre: session, regular: session, post: session },
    dataGranularity: '1d',
    range: '',
    validRanges: ['1d', '5d', '1mo', '3mo', '6mo', '1y', '2y', '5y', '10y', 'ytd', 'max'],
    ...overrides.meta,
  };
  const quote =
    bars.length === 0
      ? {}
      : {
          open: column((bar) => bar.open, 2900),
          high: column((bar) => bar.high, 2950),
          low: column((bar) => bar.low, 2880),
          close: column((bar) => bar.close, 2940),
          volume: column((bar) => bar.volume, 1_200_000),
        };
  const indicators =
    overrides.withoutAdjclose === true || bars.length === 0
      ? { quote: [quote] }
      : { quote: [quote], adjclose: [{ adjclose: column((bar) => bar.adjclose, 2940) }] };
  const result = {
    meta,
    ...(bars.length === 0 ? {} : { timestamp: bars.map((bar) => epochSeconds(bar.at)) }),
    indicators,
  };
  return { chart: { result: [result], error: null } };
}
