import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, IssueCodeSchema, nullableNumbers, storedRow } from '#shared/datasets/fields.ts';
import { dateRangeShape, withDateSelectionRules } from '#shared/datasets/params-rules.ts';
import * as z from '#shared/zod.ts';

/** Params of `/fins/dividend`, as bars (`date` = notice date). */
export const FinsDividendParamsSchema = withDateSelectionRules(
  () => z.strictObject({ code: z.optional(IssueCodeSchema), date: z.optional(CalendarDateSchema), ...dateRangeShape }),
  { selector: 'code', requireSelectorOrDate: true },
);
export type FinsDividendParams = z.infer<typeof FinsDividendParamsSchema>;

/** Amounts per share (JPY) or ratios; `"-"` (undetermined) and `""` (unset) upstream are stored as null. */
export const finsDividendNumberFields = {
  dividendRate: 'DivRate',
  commemorativeDividendRate: 'CommDivRate',
  specialDividendRate: 'SpecDivRate',
  distributionAmount: 'DistAmt',
  retainedEarnings: 'RetEarn',
  deemedDividend: 'DeemDiv',
  deemedCapitalGains: 'DeemCapGains',
  netAssetDecreaseRatio: 'NetAssetDecRatio',
} as const;

const nullableDate = z.nullable(CalendarDateSchema);

/**
 * One dividend notice: `referenceNumber` (unique), `publishedDate`, `publishedTime` (`HH:MM` JST), `code`,
 * `statusCode` (`1` new, `2` correction, `3` deletion), `correctedReferenceNumber` (the notice it corrects),
 * `boardMeetingDate`, `interimFinalCode` (`1` interim, `2` year-end), `forecastResultCode` (`1` decided,
 * `2` forecast), `interimFinalTerm` (`YYYY-MM`), `recordDate`, `exDate`, `actualRecordDate`, `payableDate`,
 * `commemorativeSpecialCode` (`0` normal, `1` commemorative, `2` special, `3` both), and the amounts of
 * finsDividendNumberFields.
 */
export const FinsDividendRowSchema = storedRow(() => ({
  referenceNumber: z.string().check(z.minLength(1)),
  publishedDate: CalendarDateSchema,
  publishedTime: z.nullable(z.string()),
  code: IssueCodeSchema,
  statusCode: z.enum(['1', '2', '3']),
  correctedReferenceNumber: z.nullable(z.string()),
  boardMeetingDate: nullableDate,
  interimFinalCode: z.nullable(z.enum(['1', '2'])),
  forecastResultCode: z.nullable(z.enum(['1', '2'])),
  interimFinalTerm: z.nullable(z.string()),
  recordDate: nullableDate,
  exDate: nullableDate,
  actualRecordDate: nullableDate,
  payableDate: nullableDate,
  commemorativeSpecialCode: z.nullable(z.enum(['0', '1', '2', '3'])),
  ...nullableNumbers(finsDividendNumberFields),
}));
export type FinsDividendRow = z.infer<typeof FinsDividendRowSchema>;

/** `jquants.fins.dividend`: dividend notices; follow `correctedReferenceNumber` for a notice's current state. */
export const jquantsFinsDividend: DatasetDefinition<FinsDividendParams, FinsDividendRow> = {
  id: 'jquants.fins.dividend',
  dataSource: 'jquants',
  description: 'Dividend notices (rates, record, ex and payable dates).',
  endpoint: '/fins/dividend',
  paramsSchema: FinsDividendParamsSchema,
  rowSchema: FinsDividendRowSchema,
  naturalKey: ['referenceNumber'],
  valueFields: Object.keys(finsDividendNumberFields),
  upstreamFields: {
    referenceNumber: 'RefNo',
    publishedDate: 'PubDate',
    publishedTime: 'PubTime',
    code: 'Code',
    statusCode: 'StatCode',
    correctedReferenceNumber: 'CARefNo',
    boardMeetingDate: 'BoardDate',
    interimFinalCode: 'IFCode',
    forecastResultCode: 'FRCode',
    interimFinalTerm: 'IFTerm',
    recordDate: 'RecDate',
    exDate: 'ExDate',
    actualRecordDate: 'ActRecDate',
    payableDate: 'PayDate',
    commemorativeSpecialCode: 'CommSpecCode',
    ...finsDividendNumberFields,
  },
  minimumPlan: 'premium',
  dateWide: true,
  defaultParams: (businessDate) => ({ date: businessDate }),
};
