import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, nullableNumber, Sector33ParamSchema, storedRow } from '#shared/datasets/fields.ts';
import { dateRangeShape, withDateSelectionRules } from '#shared/datasets/params-rules.ts';
import * as z from '#shared/zod.ts';

/** Params of `/markets/short-ratio`: `date` (every sector); `s33`; `s33`+`from`/`to`; `s33`+`date`. */
export const MarketsShortRatioParamsSchema = withDateSelectionRules(
  () =>
    z.strictObject({ s33: z.optional(Sector33ParamSchema), date: z.optional(CalendarDateSchema), ...dateRangeShape }),
  { selector: 's33', requireSelectorOrDate: true },
);
export type MarketsShortRatioParams = z.infer<typeof MarketsShortRatioParamsSchema>;

/**
 * One 33-sector's daily selling values (JPY): `date`, `sector33Code` (`0050`), `sellingExcludingShortValue`,
 * `shortSellingWithRestrictionsValue` (with the price restriction), `shortSellingWithoutRestrictionsValue`.
 */
export const MarketsShortRatioRowSchema = storedRow(() => ({
  date: CalendarDateSchema,
  sector33Code: z.string().check(z.regex(/^\d{4}$/, 'must be a 4-digit 33-sector code')),
  sellingExcludingShortValue: nullableNumber(),
  shortSellingWithRestrictionsValue: nullableNumber(),
  shortSellingWithoutRestrictionsValue: nullableNumber(),
}));
export type MarketsShortRatioRow = z.infer<typeof MarketsShortRatioRowSchema>;

/** `jquants.markets.short-ratio`: short-selling value by 33-sector. */
export const jquantsMarketsShortRatio: DatasetDefinition<MarketsShortRatioParams, MarketsShortRatioRow> = {
  id: 'jquants.markets.short-ratio',
  dataSource: 'jquants',
  description: 'Daily short-selling value and ratio by 33-sector.',
  endpoint: '/markets/short-ratio',
  paramsSchema: MarketsShortRatioParamsSchema,
  rowSchema: MarketsShortRatioRowSchema,
  naturalKey: ['date', 'sector33Code'],
  valueFields: [
    'sellingExcludingShortValue',
    'shortSellingWithRestrictionsValue',
    'shortSellingWithoutRestrictionsValue',
  ],
  upstreamFields: {
    date: 'Date',
    sector33Code: 'S33',
    sellingExcludingShortValue: 'SellExShortVa',
    shortSellingWithRestrictionsValue: 'ShrtWithResVa',
    shortSellingWithoutRestrictionsValue: 'ShrtNoResVa',
  },
  minimumPlan: 'standard',
  dateWide: true,
  defaultParams: (businessDate) => ({ date: businessDate }),
};
