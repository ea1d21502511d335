import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, IndexCodeSchema, nullableNumber, storedRow } from '#shared/datasets/fields.ts';
import { dateRangeShape, withDateSelectionRules } from '#shared/datasets/params-rules.ts';
import * as z from '#shared/zod.ts';

/** Params of `/indices/bars/daily`, as bars with an index `code`: `date` alone returns every index. */
export const IndicesBarsDailyParamsSchema = withDateSelectionRules(
  () => z.strictObject({ code: z.optional(IndexCodeSchema), date: z.optional(CalendarDateSchema), ...dateRangeShape }),
  { selector: 'code', requireSelectorOrDate: true },
);
export type IndicesBarsDailyParams = z.infer<typeof IndicesBarsDailyParamsSchema>;

/** One index's daily bar: `code` (`0000` TOPIX, `0028` Core30, …), `date`, `open`, `high`, `low`, `close`. */
export const IndicesBarsDailyRowSchema = storedRow(() => ({
  code: IndexCodeSchema,
  date: CalendarDateSchema,
  open: nullableNumber(),
  high: nullableNumber(),
  low: nullableNumber(),
  close: nullableNumber(),
}));
export type IndicesBarsDailyRow = z.infer<typeof IndicesBarsDailyRowSchema>;

/** `jquants.indices.bars.daily`: daily OHLC of every J-Quants index. */
export const jquantsIndicesBarsDaily: DatasetDefinition<IndicesBarsDailyParams, IndicesBarsDailyRow> = {
  id: 'jquants.indices.bars.daily',
  dataSource: 'jquants',
  description: 'Daily index values (TOPIX family, sector indices, …).',
  endpoint: '/indices/bars/daily',
  paramsSchema: IndicesBarsDailyParamsSchema,
  rowSchema: IndicesBarsDailyRowSchema,
  naturalKey: ['code', 'date'],
  valueFields: ['open', 'high', 'low', 'close'],
  upstreamFields: { code: 'Code', date: 'Date', open: 'O', high: 'H', low: 'L', close: 'C' },
  minimumPlan: 'standard',
  dateWide: true,
  defaultParams: (businessDate) => ({ date: businessDate }),
};
