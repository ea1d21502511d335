import type { DemoIssue } from './demo-issues.ts';
import { tradingDayNumbers } from './market-calendar.ts';

/** The price fields of one Yahoo bar that the meta block summarises. */
interface MetaBar {
  readonly high: number | null;
  readonly low: number | null;
  readonly close: number | null;
  readonly volume: number | null;
}

const tokyo = { timezone: 'JST', gmtoffset: 32_400 } as const;
const secondsPerDay = 86_400;
/** Tokyo's session: 09:00–15:30 JST, i.e. 00:00–06:30 UTC; no pre- or post-market. */
const sessionOpenSeconds = 0;
const sessionCloseSeconds = 6.5 * 3_600;
const validRanges = ['1d', '5d', '1mo', '3mo', '6mo', '1y', '2y', '5y', '10y', 'ytd', 'max'];

/**
 * The `meta` block of a Tokyo chart answer, with the fields the recorded answers carry (and yahoo-finance2 requires):
 * JPY, `Asia/Tokyo`, gmtoffset 32400, the last bar's prices, the trading periods of its day.
 */
export function yahooMeta(input: {
  readonly symbol: string;
  readonly issue: DemoIssue | undefined;
  readonly bars: readonly MetaBar[];
  readonly lastBar: MetaBar;
  /** Trading index of the last bar (or of the last trading day before period2 when there are none). */
  readonly lastIndex: number;
  /** Close of the trading day before the first bar. */
  readonly previous: number | null;
}): Record<string, unknown> {
  const { issue, bars, lastBar } = input;
  const dayStart = (tradingDayNumbers[input.lastIndex] ?? 0) * secondsPerDay;
  const period = (start: number, end: number): Record<string, unknown> => ({ ...tokyo, start, end });
  const closes = bars.flatMap((bar) => (bar.close === null ? [] : [bar.close]));
  const lastClose = lastBar.close ?? closes.at(-1) ?? input.previous ?? 0;
  const name = issue?.companyNameEnglish ?? 'Nikkei 225';
  return {
    currency: 'JPY',
    symbol: input.symbol,
    exchangeName: issue === undefined ? 'OSA' : 'JPX',
    fullExchangeName: issue === undefined ? 'Osaka' : 'Tokyo',
    instrumentType: issue === undefined ? 'INDEX' : 'EQUITY',
    firstTradeDate: (tradingDayNumbers[0] ?? 0) * secondsPerDay,
    regularMarketTime: dayStart + sessionCloseSeconds,
    hasPrePostMarketData: false,
    gmtoffset: tokyo.gmtoffset,
    timezone: tokyo.timezone,
    exchangeTimezoneName: 'Asia/Tokyo',
    regularMarketPrice: lastClose,
    ...(closes.length === 0 ? {} : { fiftyTwoWeekHigh: Math.max(...closes), fiftyTwoWeekLow: Math.min(...closes) }),
    ...(lastBar.high === null ? {} : { regularMarketDayHigh: lastBar.high }),
    ...(lastBar.low === null ? {} : { regularMarketDayLow: lastBar.low }),
    ...(lastBar.volume === null ? {} : { regularMarketVolume: lastBar.volume }),
    longName: name,
    shortName: name.toUpperCase(),
    ...(input.previous === null ? {} : { chartPreviousClose: input.previous }),
    priceHint: 2,
    currentTradingPeriod: {
      pre: period(dayStart + sessionOpenSeconds, dayStart + sessionOpenSeconds),
      regular: period(dayStart + sessionOpenSeconds, dayStart + sessionCloseSeconds),
      post: period(dayStart + sessionCloseSeconds, dayStart + sessionCloseSeconds),
    },
    dataGranularity: '1d',
    range: '',
    validRanges,
  };
}
