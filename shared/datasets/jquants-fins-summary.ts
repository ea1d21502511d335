import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, IssueCodeSchema, nullableNumbers, storedRow } from '#shared/datasets/fields.ts';
import {
  finsSummaryActualFields,
  finsSummaryDividendFields,
  finsSummaryFlagFields,
  finsSummaryForecastFields,
} from '#shared/datasets/jquants-fins-summary-fields.ts';
import { withDateSelectionRules } from '#shared/datasets/params-rules.ts';
import * as z from '#shared/zod.ts';

/** Params of `/fins/summary`: `code`, `date` (disclosure date, every issue), or both. */
export const FinsSummaryParamsSchema = withDateSelectionRules(
  () => z.strictObject({ code: z.optional(IssueCodeSchema), date: z.optional(CalendarDateSchema) }),
  { selector: 'code', requireSelectorOrDate: true },
);
export type FinsSummaryParams = z.infer<typeof FinsSummaryParamsSchema>;

const nullableDate = z.nullable(CalendarDateSchema);
const flagFieldSchemas = Object.fromEntries(
  Object.keys(finsSummaryFlagFields).map((key) => [key, z.nullable(z.boolean())]),
) as { [Key in keyof typeof finsSummaryFlagFields]: z.ZodMiniNullable<z.ZodMiniBoolean> };

/**
 * One disclosed earnings summary. Identity: `discNo` (unique), `discDate`, `discTime` (`HH:MM:SS` JST), `code`,
 * `documentType` (`3QFinancialStatements_Consolidated_IFRS`, …), `currentPeriodType` (`1Q`…`5Q`, `FY`); periods:
 * `currentPeriodStart`/`End`, `currentFiscalYearStart`/`End`, `nextFiscalYearStart`/`End` (null when none). Numbers
 * (null when blank): the actuals, dividends and forecasts listed in jquants-fins-summary-fields.ts, plus, when sent,
 * `shareholdersEquity` and `returnOnEquity`; accounting-change flags as boolean or null.
 */
export const FinsSummaryRowSchema = storedRow(() => ({
  discNo: z.string().check(z.minLength(1)),
  discDate: CalendarDateSchema,
  discTime: z.nullable(z.string()),
  code: IssueCodeSchema,
  documentType: z.string(),
  currentPeriodType: z.nullable(z.string()),
  currentPeriodStart: nullableDate,
  currentPeriodEnd: nullableDate,
  currentFiscalYearStart: nullableDate,
  currentFiscalYearEnd: nullableDate,
  nextFiscalYearStart: nullableDate,
  nextFiscalYearEnd: nullableDate,
  ...nullableNumbers(finsSummaryActualFields),
  ...nullableNumbers(finsSummaryDividendFields),
  ...nullableNumbers(finsSummaryForecastFields),
  shareholdersEquity: z.optional(z.nullable(z.number())),
  returnOnEquity: z.optional(z.nullable(z.number())),
  ...flagFieldSchemas,
}));
export type FinsSummaryRow = z.infer<typeof FinsSummaryRowSchema>;

/** `jquants.fins.summary`: earnings summaries (results, forecasts, dividends) per disclosure. */
export const jquantsFinsSummary: DatasetDefinition<FinsSummaryParams, FinsSummaryRow> = {
  id: 'jquants.fins.summary',
  dataSource: 'jquants',
  description: 'Financial statement summaries: results, forecasts and dividends per disclosure.',
  endpoint: '/fins/summary',
  paramsSchema: FinsSummaryParamsSchema,
  rowSchema: FinsSummaryRowSchema,
  naturalKey: ['discNo'],
  valueFields: [
    ...Object.keys(finsSummaryActualFields),
    ...Object.keys(finsSummaryDividendFields),
    ...Object.keys(finsSummaryForecastFields),
    'shareholdersEquity',
    'returnOnEquity',
  ],
  upstreamFields: {
    discNo: 'DiscNo',
    discDate: 'DiscDate',
    discTime: 'DiscTime',
    code: 'Code',
    documentType: 'DocType',
    currentPeriodType: 'CurPerType',
    currentPeriodStart: 'CurPerSt',
    currentPeriodEnd: 'CurPerEn',
    currentFiscalYearStart: 'CurFYSt',
    currentFiscalYearEnd: 'CurFYEn',
    nextFiscalYearStart: 'NxtFYSt',
    nextFiscalYearEnd: 'NxtFYEn',
    ...finsSummaryActualFields,
    ...finsSummaryDividendFields,
    ...finsSummaryForecastFields,
    shareholdersEquity: 'ShEq',
    returnOnEquity: 'ROE',
    ...finsSummaryFlagFields,
  },
  minimumPlan: 'free',
  rateLimitBucket: 'fins',
  dateWide: true,
  defaultParams: (businessDate) => ({ date: businessDate }),
};
