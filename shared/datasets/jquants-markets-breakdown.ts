import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, IssueCodeSchema, nullableNumbers, storedRow } from '#shared/datasets/fields.ts';
import { dateRangeShape, withDateSelectionRules } from '#shared/datasets/params-rules.ts';
import * as z from '#shared/zod.ts';

/** Params of `/markets/breakdown`, as bars. */
export const MarketsBreakdownParamsSchema = withDateSelectionRules(
  () => z.strictObject({ code: z.optional(IssueCodeSchema), date: z.optional(CalendarDateSchema), ...dateRangeShape }),
  { selector: 'code', requireSelectorOrDate: true },
);
export type MarketsBreakdownParams = z.infer<typeof MarketsBreakdownParamsSchema>;

/** Regular-session trading by kind: `…Value` in JPY, `…Volume` in shares; row name → upstream name. */
export const marketsBreakdownNumberFields = {
  longSellValue: 'LongSellVa',
  longSellVolume: 'LongSellVo',
  shortSellExcludingMarginValue: 'ShrtNoMrgnVa',
  shortSellExcludingMarginVolume: 'ShrtNoMrgnVo',
  marginSellNewValue: 'MrgnSellNewVa',
  marginSellNewVolume: 'MrgnSellNewVo',
  marginSellCloseValue: 'MrgnSellCloseVa',
  marginSellCloseVolume: 'MrgnSellCloseVo',
  longBuyValue: 'LongBuyVa',
  longBuyVolume: 'LongBuyVo',
  marginBuyNewValue: 'MrgnBuyNewVa',
  marginBuyNewVolume: 'MrgnBuyNewVo',
  marginBuyCloseValue: 'MrgnBuyCloseVa',
  marginBuyCloseVolume: 'MrgnBuyCloseVo',
} as const;

/** One issue's daily trading breakdown: `code`, `date` and the value/volume pairs of marketsBreakdownNumberFields. */
export const MarketsBreakdownRowSchema = storedRow(() => ({
  code: IssueCodeSchema,
  date: CalendarDateSchema,
  ...nullableNumbers(marketsBreakdownNumberFields),
}));
export type MarketsBreakdownRow = z.infer<typeof MarketsBreakdownRowSchema>;

/** `jquants.markets.breakdown`: daily trading value and volume by kind of trade, per issue. */
export const jquantsMarketsBreakdown: DatasetDefinition<MarketsBreakdownParams, MarketsBreakdownRow> = {
  id: 'jquants.markets.breakdown',
  dataSource: 'jquants',
  description: 'Daily trading breakdown (long, short, margin new/close) per issue.',
  endpoint: '/markets/breakdown',
  paramsSchema: MarketsBreakdownParamsSchema,
  rowSchema: MarketsBreakdownRowSchema,
  naturalKey: ['code', 'date'],
  valueFields: Object.keys(marketsBreakdownNumberFields),
  upstreamFields: { code: 'Code', date: 'Date', ...marketsBreakdownNumberFields },
  minimumPlan: 'premium',
  dateWide: true,
  defaultParams: (businessDate) => ({ date: businessDate }),
};
