import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, nullableNumber, storedRow } from '#shared/datasets/fields.ts';
import { dateRangeShape, withDateSelectionRules } from '#shared/datasets/params-rules.ts';
import * as z from '#shared/zod.ts';

/** Params of `/indices/bars/daily/topix`: `from`/`to` only (there is no `date`); none returns the whole series. */
export const IndicesTopixDailyParamsSchema = withDateSelectionRules(() => z.strictObject({ ...dateRangeShape }), {});
export type IndicesTopixDailyParams = z.infer<typeof IndicesTopixDailyParamsSchema>;

/** One TOPIX daily bar: `date`, `open`, `high`, `low`, `close`. */
export const IndicesTopixDailyRowSchema = storedRow(() => ({
  date: CalendarDateSchema,
  open: nullableNumber(),
  high: nullableNumber(),
  low: nullableNumber(),
  close: nullableNumber(),
}));
export type IndicesTopixDailyRow = z.infer<typeof IndicesTopixDailyRowSchema>;

/** `jquants.indices.topix.daily`: TOPIX on the Light plan (code `0000` of the general endpoint needs Standard). */
export const jquantsIndicesTopixDaily: DatasetDefinition<IndicesTopixDailyParams, IndicesTopixDailyRow> = {
  id: 'jquants.indices.topix.daily',
  dataSource: 'jquants',
  description: 'Daily TOPIX values.',
  endpoint: '/indices/bars/daily/topix',
  paramsSchema: IndicesTopixDailyParamsSchema,
  rowSchema: IndicesTopixDailyRowSchema,
  naturalKey: ['date'],
  valueFields: ['open', 'high', 'low', 'close'],
  upstreamFields: { date: 'Date', open: 'O', high: 'H', low: 'L', close: 'C' },
  minimumPlan: 'light',
  dateWide: false,
  defaultParams: (businessDate) => ({ from: businessDate, to: businessDate }),
};
