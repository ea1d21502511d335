import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, IssueCodeSchema, nullableNumber, storedRow } from '#shared/datasets/fields.ts';
import { dateRangeShape, withDateSelectionRules } from '#shared/datasets/params-rules.ts';
import * as z from '#shared/zod.ts';

/** Params of `/markets/margin-interest`, as bars. */
export const MarketsMarginInterestParamsSchema = withDateSelectionRules(
  () => z.strictObject({ code: z.optional(IssueCodeSchema), date: z.optional(CalendarDateSchema), ...dateRangeShape }),
  { selector: 'code', requireSelectorOrDate: true },
);
export type MarketsMarginInterestParams = z.infer<typeof MarketsMarginInterestParamsSchema>;

/**
 * One issue's weekly margin balances (shares): `code`, `date` (application date, normally a Friday),
 * `shortMarginOutstanding`/`longMarginOutstanding` (totals), `shortNegotiableOutstanding`/`longNegotiableOutstanding`
 * (negotiated margin), `shortStandardizedOutstanding`/`longStandardizedOutstanding` (standard margin),
 * `issueType` (`1` margin, `2` loanable, `3` other).
 */
export const MarketsMarginInterestRowSchema = storedRow(() => ({
  code: IssueCodeSchema,
  date: CalendarDateSchema,
  shortMarginOutstanding: nullableNumber(),
  longMarginOutstanding: nullableNumber(),
  shortNegotiableOutstanding: nullableNumber(),
  longNegotiableOutstanding: nullableNumber(),
  shortStandardizedOutstanding: nullableNumber(),
  longStandardizedOutstanding: nullableNumber(),
  issueType: z.nullable(z.enum(['1', '2', '3'])),
}));
export type MarketsMarginInterestRow = z.infer<typeof MarketsMarginInterestRowSchema>;

/** `jquants.markets.margin-interest`: weekly margin trading balances per issue. */
export const jquantsMarketsMarginInterest: DatasetDefinition<MarketsMarginInterestParams, MarketsMarginInterestRow> = {
  id: 'jquants.markets.margin-interest',
  dataSource: 'jquants',
  description: 'Weekly margin trading outstanding balances per issue.',
  endpoint: '/markets/margin-interest',
  paramsSchema: MarketsMarginInterestParamsSchema,
  rowSchema: MarketsMarginInterestRowSchema,
  naturalKey: ['code', 'date'],
  valueFields: [
    'shortMarginOutstanding',
    'longMarginOutstanding',
    'shortNegotiableOutstanding',
    'longNegotiableOutstanding',
    'shortStandardizedOutstanding',
    'longStandardizedOutstanding',
  ],
  upstreamFields: {
    code: 'Code',
    date: 'Date',
    shortMarginOutstanding: 'ShrtVol',
    longMarginOutstanding: 'LongVol',
    shortNegotiableOutstanding: 'ShrtNegVol',
    longNegotiableOutstanding: 'LongNegVol',
    shortStandardizedOutstanding: 'ShrtStdVol',
    longStandardizedOutstanding: 'LongStdVol',
    issueType: 'IssType',
  },
  minimumPlan: 'standard',
  dateWide: true,
  defaultParams: (businessDate) => ({ date: businessDate }),
};
