import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, IssueCodeSchema, storedRow } from '#shared/datasets/fields.ts';
import * as z from '#shared/zod.ts';

/** Params of `/equities/master`: none (today), `code`, `date`, or both; a holiday `date` gives the next business day's. */
export const EquitiesMasterParamsSchema = z.strictObject({
  code: z.optional(IssueCodeSchema),
  date: z.optional(CalendarDateSchema),
});
export type EquitiesMasterParams = z.infer<typeof EquitiesMasterParamsSchema>;

const optionalText = z.optional(z.nullable(z.string()));

/**
 * One listed issue on one date: `date`, `code`, `companyName`, `companyNameEnglish`, `sector17Code`,
 * `sector17Name`, `sector33Code`, `sector33Name`, `scaleCategory` (`TOPIX Large70`), `marketCode` (`0111` Prime),
 * `marketName`, and when the plan sends them `marginCode` (`1` margin, `2` loanable, `3` other), `marginName`,
 * `productCategory` (`011` domestic stock … `024` foreign depositary receipt).
 */
export const EquitiesMasterRowSchema = storedRow(() => ({
  date: CalendarDateSchema,
  code: IssueCodeSchema,
  companyName: z.string(),
  companyNameEnglish: z.string(),
  sector17Code: z.string(),
  sector17Name: z.string(),
  sector33Code: z.string(),
  sector33Name: z.string(),
  scaleCategory: z.string(),
  marketCode: z.string(),
  marketName: z.string(),
  marginCode: optionalText,
  marginName: optionalText,
  productCategory: optionalText,
}));
export type EquitiesMasterRow = z.infer<typeof EquitiesMasterRowSchema>;

/** `jquants.equities.master`: the listed issues of a date; the source of `$listedCodes`. */
export const jquantsEquitiesMaster: DatasetDefinition<EquitiesMasterParams, EquitiesMasterRow> = {
  id: 'jquants.equities.master',
  dataSource: 'jquants',
  description: 'Listed issues (name, sector, market, scale) as of a date.',
  endpoint: '/equities/master',
  paramsSchema: EquitiesMasterParamsSchema,
  rowSchema: EquitiesMasterRowSchema,
  naturalKey: ['date', 'code'],
  valueFields: [],
  upstreamFields: {
    date: 'Date',
    code: 'Code',
    companyName: 'CoName',
    companyNameEnglish: 'CoNameEn',
    sector17Code: 'S17',
    sector17Name: 'S17Nm',
    sector33Code: 'S33',
    sector33Name: 'S33Nm',
    scaleCategory: 'ScaleCat',
    marketCode: 'Mkt',
    marketName: 'MktNm',
    marginCode: 'Mrgn',
    marginName: 'MrgnNm',
    productCategory: 'ProdCat',
  },
  minimumPlan: 'free',
  dateWide: true,
  defaultParams: (businessDate) => ({ date: businessDate }),
};
