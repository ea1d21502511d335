import * as z from 'zod';
import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, IssueCodeSchema, nullableNumbers, storedRow } from '#shared/datasets/fields.ts';
import {
  finsSummaryActualFields,
  finsSummaryDividendFields,
  finsSummaryFlagFields,
  finsSummaryForecastFields,
} from '#shared/datasets/jquants-fins-summary-fields.ts';
import { withDateSelectionRules } from '#shared/datasets/params-rules.ts';

/** Params of `/fins/summary`: `code`, `date` (disclosure date, every issue), or both. */
export const FinsSummaryParamsSchema = withDateSelectionRules(
  z.strictObject({ code: IssueCodeSchema.optional(), date: CalendarDateSchema.optional() }),
  { selector: 'code', requireSelectorOrDate: true },
);
export type FinsSummaryParams = z.infer<typeof FinsSummaryParamsSchema>;

const nullableDate = CalendarDateSchema.nullable();
const flagFieldSchemas = Object.fromEntries(
  Object.keys(finsSummaryFlagFields).map((key) => [key, z.boolean().nullable()]),
) as { [Key in keyof typeof finsSummaryFlagFields]: z.ZodNullable<z.ZodBoolean> };

/**
 * One disclosed earnings summary. Identity: `discNo` (unique), `discDate`, `discTime` (`HH:MM:SS` JST), `code`,
 * `documentType` (`3QFinancialStatements_Consolidated_IFRS`, …), `currentPeriodType` (`1Q`…`5Q`, `FY`); periods:
 * `currentPeriodStart`/`End`, `currentFiscalYearStart`/`End`, `nextFiscalYearStart`/`End` (null when none). Numbers
 * (null when blank): the actuals, dividends and forecasts listed in jquants-fins-summary-fields.ts, plus, when sent,
 * `shareholdersEquity` and `returnOnEquity`; accounting-change flags as boolean or null.
 */
export const FinsSummaryRowSchema = storedRow({
  discNo: z.string().min(1),
  discDate: CalendarDateSchema,
  discTime: z.string().nullable(),
  code: IssueCodeSchema,
  documentType: z.string(),
  currentPeriodType: z.string().nullable(),
  currentPeriodStart: nullableDate,
  currentPeriodEnd: nullableDate,
  currentFiscalYearStart: nullableDate,
  currentFiscalYearEnd: nullableDate,
  nextFiscalYearStart: nullableDate,
  nextFiscalYearEnd: nullableDate,
  ...nullableNumbers(finsSummaryActualFields),
  ...nullableNumbers(finsSummaryDividendFields),
  ...nullableNumbers(finsSummaryForecastFields),
  shareholdersEquity: z.number().nullable().optional(),
  returnOnEquity: z.number().nullable().optional(),
  ...flagFieldSchemas,
});
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
