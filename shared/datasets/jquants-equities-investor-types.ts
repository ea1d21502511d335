import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, nullableNumbers, storedRow } from '#shared/datasets/fields.ts';
import { dateRangeShape, withDateSelectionRules } from '#shared/datasets/params-rules.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import * as z from '#shared/zod.ts';

/** Market sections of the investor-type statistics, current and legacy. */
export const InvestorTypesSectionSchema = z.enum([
  'TSEPrime',
  'TSEStandard',
  'TSEGrowth',
  'TokyoNagoya',
  'TSE1st',
  'TSE2nd',
  'TSEMothers',
  'TSEJASDAQ',
]);

/** Params of `/equities/investor-types`: any of `section`, `from`, `to` (publication dates). */
export const EquitiesInvestorTypesParamsSchema = withDateSelectionRules(
  () => z.strictObject({ section: z.optional(InvestorTypesSectionSchema), ...dateRangeShape }),
  {},
);
export type EquitiesInvestorTypesParams = z.infer<typeof EquitiesInvestorTypesParamsSchema>;

const investorGroups = {
  proprietary: 'Prop',
  brokerage: 'Brk',
  total: 'Tot',
  individuals: 'Ind',
  foreigners: 'Frgn',
  securitiesCompanies: 'SecCo',
  investmentTrusts: 'InvTr',
  businessCompanies: 'BusCo',
  otherCompanies: 'OthCo',
  insuranceCompanies: 'InsCo',
  banks: 'Bank',
  trustBanks: 'TrstBnk',
  otherFinancialInstitutions: 'OthFin',
} as const;
const tradeSides = { Sales: 'Sell', Purchases: 'Buy', Total: 'Tot', Balance: 'Bal' } as const;
type InvestorField = `${keyof typeof investorGroups}${keyof typeof tradeSides}`;

/** Row name → upstream name of the amounts, e.g. `foreignersBalance` → `FrgnBal` (JPY thousands). */
export const investorTypesNumberFields = Object.fromEntries(
  Object.entries(investorGroups).flatMap(([group, upstreamGroup]) =>
    Object.entries(tradeSides).map(([side, upstreamSide]) => [`${group}${side}`, `${upstreamGroup}${upstreamSide}`]),
  ),
) as Readonly<Record<InvestorField, string>>;

/**
 * One week of trading by investor type in one section: `publishedDate`, `startDate`, `endDate`, `section`, and for
 * each group (`proprietary`, `brokerage`, `total`, `individuals`, `foreigners`, `securitiesCompanies`,
 * `investmentTrusts`, `businessCompanies`, `otherCompanies`, `insuranceCompanies`, `banks`, `trustBanks`,
 * `otherFinancialInstitutions`) its `…Sales`, `…Purchases`, `…Total` and `…Balance` in JPY thousands (a balance can
 * be negative). A correction is a new row with a later `publishedDate`.
 */
export const EquitiesInvestorTypesRowSchema = storedRow(() => ({
  publishedDate: CalendarDateSchema,
  startDate: CalendarDateSchema,
  endDate: CalendarDateSchema,
  section: z.string().check(z.minLength(1)),
  ...nullableNumbers(investorTypesNumberFields),
}));
export type EquitiesInvestorTypesRow = z.infer<typeof EquitiesInvestorTypesRowSchema>;

/** A weekly dataset: a default run takes the week of publications up to the business date. */
const defaultWindowDays = 7;

/** `jquants.equities.investor-types`: weekly trading by investor type, published on Thursdays. */
export const jquantsEquitiesInvestorTypes: DatasetDefinition<EquitiesInvestorTypesParams, EquitiesInvestorTypesRow> = {
  id: 'jquants.equities.investor-types',
  dataSource: 'jquants',
  description: 'Weekly trading value by investor type and market section.',
  endpoint: '/equities/investor-types',
  paramsSchema: EquitiesInvestorTypesParamsSchema,
  rowSchema: EquitiesInvestorTypesRowSchema,
  naturalKey: ['section', 'startDate', 'endDate', 'publishedDate'],
  valueFields: Object.keys(investorTypesNumberFields),
  upstreamFields: {
    publishedDate: 'PubDate',
    startDate: 'StDate',
    endDate: 'EnDate',
    section: 'Section',
    ...investorTypesNumberFields,
  },
  minimumPlan: 'light',
  dateWide: false,
  defaultParams: (businessDate) => ({ from: addDays(businessDate, 1 - defaultWindowDays), to: businessDate }),
};
