import * as z from '#shared/zod.ts';

/** The upstream APIs (design §1): J-Quants API V2 and Yahoo Finance's chart API. */
export const DataSourceIdSchema = z.enum(['jquants', 'yahoo']);
export type DataSourceId = z.infer<typeof DataSourceIdSchema>;

/** J-Quants subscription plans, cheapest first; data outside the plan answers 403. */
export const JquantsPlanSchema = z.enum(['free', 'light', 'standard', 'premium']);
export type JquantsPlan = z.infer<typeof JquantsPlanSchema>;
