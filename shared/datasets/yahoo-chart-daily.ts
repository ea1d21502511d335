import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, nullableNumber, storedRow } from '#shared/datasets/fields.ts';
import { dateRangeShape, withDateSelectionRules } from '#shared/datasets/params-rules.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import * as z from '#shared/zod.ts';

/** A Yahoo symbol: `7203.T`, `130A.T`, `^N225`, `AAPL`, `EURUSD=X`, `BRK-B`. */
export const YahooSymbolSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9^][A-Za-z0-9.^=&_-]{0,31}$/, 'must be a Yahoo symbol, e.g. 7203.T, ^N225 or AAPL'));

/** Params of a daily chart: `symbol` and an inclusive `from`/`to` range (each defaults to the business date). */
export const YahooChartDailyParamsSchema = withDateSelectionRules(
  () => z.strictObject({ symbol: YahooSymbolSchema, ...dateRangeShape }),
  {},
);
export type YahooChartDailyParams = z.infer<typeof YahooChartDailyParamsSchema>;

/**
 * One daily bar: `symbol`, `date` (exchange-local, from `timestamp + gmtoffset`), `open`, `high`, `low`, `close`
 * (split-adjusted by Yahoo), `volume`, `adjustedClose` (Yahoo's `adjclose`: also dividend-adjusted, so unlike
 * J-Quants' `adjustedClose`; null when absent) and `currency` (`JPY`). Never mix it with J-Quants series.
 */
export const YahooChartDailyRowSchema = storedRow(() => ({
  symbol: YahooSymbolSchema,
  date: CalendarDateSchema,
  open: nullableNumber(),
  high: nullableNumber(),
  low: nullableNumber(),
  close: nullableNumber(),
  volume: nullableNumber(),
  adjustedClose: nullableNumber(),
  currency: z.nullable(z.string()),
}));
export type YahooChartDailyRow = z.infer<typeof YahooChartDailyRowSchema>;

/** `yahoo.chart.daily`: daily bars of one Yahoo symbol (interval 1d, via yahoo-finance2). */
export const yahooChartDaily: DatasetDefinition<YahooChartDailyParams, YahooChartDailyRow> = {
  id: 'yahoo.chart.daily',
  dataSource: 'yahoo',
  description: 'Daily bars of a Yahoo Finance symbol (chart API, interval 1d).',
  endpoint: '/v8/finance/chart/{symbol}',
  paramsSchema: YahooChartDailyParamsSchema,
  rowSchema: YahooChartDailyRowSchema,
  naturalKey: ['symbol', 'date'],
  valueFields: ['open', 'high', 'low', 'close', 'volume', 'adjustedClose'],
  dateWide: false,
  defaultParams: () => {
    throw ValidationError.of(
      'parametersTemplate',
      'yahoo.chart.daily needs a symbol: set parametersTemplate.symbol, e.g. "7203.T" or { "$each": ["7203.T", "^N225"] }',
    );
  },
  completeParams: (params, businessDate) => {
    const to = params.to ?? businessDate;
    return { ...params, from: params.from ?? (typeof to === 'string' ? to : businessDate), to };
  },
};
