import { exchangeDate } from '#shared/data-sources/yahoo/exchange-date.ts';
import { roundFloat32Noise } from '#shared/data-sources/yahoo/round-float32-noise.ts';
import { yahooChartEndpoint } from '#shared/data-sources/yahoo/yahoo-transport.ts';
import type { YahooChartDailyRow } from '#shared/datasets/yahoo-chart-daily.ts';
import { PermanentUpstreamError } from '#shared/ports/upstream-errors.ts';
import * as z from '#shared/zod.ts';

// yahoo-finance2 turns some epoch seconds into Dates when it validates; an unvalidated result keeps the numbers.
const EpochSecondsSchema = z.pipe(
  z.union([z.number(), z.date()]),
  z.transform((value) => (typeof value === 'number' ? value : value.getTime() / 1000)),
);
const SeriesSchema = z.array(z.nullable(z.number()));

/** The parts of a chart result (`return: 'object'`) that rows are made of; anything else is ignored. */
export const ChartResultSchema = z.object({
  meta: z.object({
    currency: z.nullish(z.string()),
    exchangeTimezoneName: z.nullish(z.string()),
    gmtoffset: z.nullish(z.number()),
    // Only used to spot today's unfinished bar: a malformed period must not fail the whole answer.
    currentTradingPeriod: z.catch(
      z.optional(z.object({ regular: z.object({ start: EpochSecondsSchema, end: EpochSecondsSchema }) })),
      undefined,
    ),
  }),
  timestamp: z.nullish(z.array(EpochSecondsSchema)),
  indicators: z.object({
    quote: z.array(
      z.object({
        open: z.optional(SeriesSchema),
        high: z.optional(SeriesSchema),
        low: z.optional(SeriesSchema),
        close: z.optional(SeriesSchema),
        volume: z.optional(SeriesSchema),
      }),
    ),
    adjclose: z.nullish(z.array(z.object({ adjclose: z.optional(SeriesSchema) }))),
  }),
});
export type ChartResult = z.infer<typeof ChartResultSchema>;

/** A `yahoo.chart.daily` row before the worker stamps `fetchedAt` and `runId`. */
export type ChartRow = Omit<YahooChartDailyRow, 'fetchedAt' | 'runId'>;

/** Which bars a fetch keeps. */
export interface ChartRowSelection {
  readonly symbol: string;
  /** Inclusive exchange-local dates. */
  readonly from: string;
  readonly to: string;
  /** Bars of a session that has not closed by now are left out. */
  readonly now: Date;
}

/**
 * One row per bar whose exchange-local date lies in `[from, to]`, oldest first. Nulls stay null; prices lose their
 * float32 noise; volumes are kept as sent. When Yahoo sends two bars for one date (today's bar stamped with the
 * live time next to the session bar), the later one wins so the natural key stays unique.
 */
export function chartRows(result: ChartResult, selection: ChartRowSelection): ChartRow[] {
  const timestamps = result.timestamp ?? [];
  if (timestamps.length === 0) return [];
  const { meta } = result;
  const quote = result.indicators.quote[0];
  if (quote === undefined) throw shapeError(selection, 'has timestamps but no quote indicators');
  const series = {
    open: quote.open,
    high: quote.high,
    low: quote.low,
    close: quote.close,
    volume: quote.volume,
    adjclose: result.indicators.adjclose?.[0]?.adjclose ?? undefined,
  };
  for (const [name, values] of Object.entries(series)) {
    if (values !== undefined && values.length !== timestamps.length) {
      throw shapeError(selection, `has ${values.length} ${name} values for ${timestamps.length} timestamps`);
    }
  }
  const zone = { timeZone: meta.exchangeTimezoneName, gmtoffsetSeconds: meta.gmtoffset };
  const dateOf = (epochSeconds: number): string => {
    const date = exchangeDate(epochSeconds, zone);
    if (date === undefined) throw shapeError(selection, 'names neither exchangeTimezoneName nor gmtoffset');
    return date;
  };
  const unfinishedDate = unfinishedSessionDate(result, selection.now, dateOf);
  const rows = new Map<string, ChartRow>();
  timestamps.forEach((timestamp, index) => {
    const date = dateOf(timestamp);
    if (date < selection.from || date > selection.to || date === unfinishedDate) return;
    rows.set(date, {
      symbol: selection.symbol,
      date,
      open: price(series.open?.[index]),
      high: price(series.high?.[index]),
      low: price(series.low?.[index]),
      close: price(series.close?.[index]),
      volume: series.volume?.[index] ?? null,
      adjustedClose: price(series.adjclose?.[index]),
      currency: meta.currency ?? null,
    });
  });
  return [...rows.values()];
}

/** The date of the regular session in progress (its bar is still moving), if one is. */
function unfinishedSessionDate(
  result: ChartResult,
  now: Date,
  dateOf: (epochSeconds: number) => string,
): string | undefined {
  const session = result.meta.currentTradingPeriod?.regular;
  if (session === undefined || now.getTime() >= session.end * 1000) return undefined;
  return dateOf(session.start);
}

function price(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : roundFloat32Noise(value);
}

function shapeError(selection: ChartRowSelection, problem: string): PermanentUpstreamError {
  return new PermanentUpstreamError(`Yahoo chart for ${selection.symbol} ${problem}`, {
    status: 200,
    endpoint: yahooChartEndpoint,
  });
}
