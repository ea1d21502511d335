import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { CalendarDateSchema, IssueCodeSchema, nullableNumber, storedRow } from '#shared/datasets/fields.ts';
import { dateRangeShape, withDateSelectionRules } from '#shared/datasets/params-rules.ts';
import * as z from '#shared/zod.ts';

/** Params of `/equities/bars/daily`: `code`; `code`+`date`; `code`+`from`/`to`; or `date` alone (every issue). */
export const EquitiesBarsDailyParamsSchema = withDateSelectionRules(
  () => z.strictObject({ code: z.optional(IssueCodeSchema), date: z.optional(CalendarDateSchema), ...dateRangeShape }),
  { selector: 'code', requireSelectorOrDate: true },
);
export type EquitiesBarsDailyParams = z.infer<typeof EquitiesBarsDailyParamsSchema>;

/** A limit-up / limit-down flag: `1` when the price hit the limit that day. */
export const LimitFlagSchema = z.enum(['0', '1']);

/**
 * One issue's daily bar: `code`, `date`, raw `open`/`high`/`low`/`close`, `upperLimit`/`lowerLimit` flags, `volume`,
 * `turnoverValue` (JPY, never adjusted), `adjustmentFactor` (0.5 on the ex-date of a 1:2 split, else 1),
 * `adjustedOpen`/`adjustedHigh`/`adjustedLow`/`adjustedClose`/`adjustedVolume` (splits and rights issues, not
 * dividends), and when sent `marketCap` (JPY millions) and `exRightsType` (`1` split, `2` reverse split, `3` rights).
 * Prices and volumes are null on a no-trade day, never 0. The Premium morning/afternoon fields are not stored.
 */
export const EquitiesBarsDailyRowSchema = storedRow(() => ({
  code: IssueCodeSchema,
  date: CalendarDateSchema,
  open: nullableNumber(),
  high: nullableNumber(),
  low: nullableNumber(),
  close: nullableNumber(),
  upperLimit: z.nullable(LimitFlagSchema),
  lowerLimit: z.nullable(LimitFlagSchema),
  volume: nullableNumber(),
  turnoverValue: nullableNumber(),
  adjustmentFactor: nullableNumber(),
  adjustedOpen: nullableNumber(),
  adjustedHigh: nullableNumber(),
  adjustedLow: nullableNumber(),
  adjustedClose: nullableNumber(),
  adjustedVolume: nullableNumber(),
  marketCap: z.optional(nullableNumber()),
  exRightsType: z.optional(z.nullable(z.enum(['1', '2', '3']))),
}));
export type EquitiesBarsDailyRow = z.infer<typeof EquitiesBarsDailyRowSchema>;

/** `jquants.equities.bars.daily`: daily OHLCV per issue, raw and adjusted. */
export const jquantsEquitiesBarsDaily: DatasetDefinition<EquitiesBarsDailyParams, EquitiesBarsDailyRow> = {
  id: 'jquants.equities.bars.daily',
  dataSource: 'jquants',
  description: 'Daily stock prices (OHLCV, limit flags, adjusted values) per issue.',
  endpoint: '/equities/bars/daily',
  paramsSchema: EquitiesBarsDailyParamsSchema,
  rowSchema: EquitiesBarsDailyRowSchema,
  naturalKey: ['code', 'date'],
  // Not adjustmentFactor nor the limit flags: they stay filled (1, "0") on a no-trade day, beside null prices.
  valueFields: [
    'open',
    'high',
    'low',
    'close',
    'volume',
    'turnoverValue',
    'adjustedOpen',
    'adjustedHigh',
    'adjustedLow',
    'adjustedClose',
    'adjustedVolume',
    'marketCap',
  ],
  upstreamFields: {
    code: 'Code',
    date: 'Date',
    open: 'O',
    high: 'H',
    low: 'L',
    close: 'C',
    upperLimit: 'UL',
    lowerLimit: 'LL',
    volume: 'Vo',
    turnoverValue: 'Va',
    adjustmentFactor: 'AdjFactor',
    adjustedOpen: 'AdjO',
    adjustedHigh: 'AdjH',
    adjustedLow: 'AdjL',
    adjustedClose: 'AdjC',
    adjustedVolume: 'AdjVo',
    marketCap: 'MktCap',
    exRightsType: 'ExRT',
  },
  minimumPlan: 'free',
  dateWide: true,
  defaultParams: (businessDate) => ({ date: businessDate }),
};
