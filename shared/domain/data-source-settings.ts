import {
  type DataSourceId,
  DataSourceIdSchema,
  type JquantsPlan,
  JquantsPlanSchema,
} from '#shared/domain/data-source.ts';
import * as z from '#shared/zod.ts';

/**
 * Operator settings of a data source: the J-Quants plan (which sets the default rate limit) and an optional explicit
 * rate limit that overrides it. Stored per data source; a data source never configured uses the defaults.
 */

export const RateLimitSchema = z.strictObject({
  limit: z.int().check(z.gte(1), z.lte(100_000)),
  per: z.enum(['second', 'minute', 'hour']),
});
export type RateLimit = z.infer<typeof RateLimitSchema>;

export const DataSourceSettingsSchema = z.strictObject({
  id: DataSourceIdSchema,
  plan: z.optional(JquantsPlanSchema),
  rateLimit: z.optional(RateLimitSchema),
  updatedAt: z.iso.datetime({ offset: true }),
  version: z.int().check(z.gte(0)),
});
export type DataSourceSettings = z.infer<typeof DataSourceSettingsSchema>;

/** The body of `PATCH /data-sources/{id}`; `rateLimit: null` returns to the plan's default. */
export const DataSourceSettingsPatchSchema = z.strictObject({
  plan: z.optional(JquantsPlanSchema),
  rateLimit: z.optional(z.nullable(RateLimitSchema)),
  version: z.optional(z.int().check(z.gte(0))),
});
export type DataSourceSettingsPatch = z.infer<typeof DataSourceSettingsPatchSchema>;

/** J-Quants requests per minute by plan (jquants-v2.md §2). */
const jquantsPlanLimits: Record<JquantsPlan, number> = { free: 5, light: 60, standard: 120, premium: 500 };

/** The plan assumed until an operator sets one: the cheapest, so a new install never outruns its key. */
export const defaultJquantsPlan: JquantsPlan = 'free';

/**
 * Yahoo publishes no limit and throttles in waves; one request per second keeps a single client well clear of the
 * reported triggers (yahoo-finance.md §3).
 */
const yahooDefaultRateLimit: RateLimit = { limit: 60, per: 'minute' };

/** A rate limit that applies to some endpoints only, on top of the data source's own (J-Quants `/fins/*`). */
export interface EndpointRateLimit extends RateLimit {
  /** Upstream path prefixes it covers, e.g. `/fins/summary`. */
  readonly endpoints: readonly string[];
  /** Bucket name, e.g. `fins`. */
  readonly bucket: string;
}

/** Caps of some endpoints whatever the plan: J-Quants `/fins/summary` and `/fins/details` allow 60 a minute. */
export function endpointRateLimits(id: DataSourceId): EndpointRateLimit[] {
  return id === 'jquants'
    ? [{ endpoints: ['/fins/summary', '/fins/details'], bucket: 'fins', limit: 60, per: 'minute' }]
    : [];
}

/** Settings of a data source nobody has configured yet. */
export function defaultSettings(id: DataSourceId, at: string): DataSourceSettings {
  return id === 'jquants'
    ? { id, plan: defaultJquantsPlan, updatedAt: at, version: 0 }
    : { id, updatedAt: at, version: 0 };
}

/** The rate limit in force: the explicit setting, else the plan's (J-Quants), else the source's default. */
export function effectiveRateLimit(settings: Pick<DataSourceSettings, 'id' | 'plan' | 'rateLimit'>): RateLimit {
  if (settings.rateLimit !== undefined) return settings.rateLimit;
  if (settings.id === 'jquants')
    return { limit: jquantsPlanLimits[settings.plan ?? defaultJquantsPlan], per: 'minute' };
  return yahooDefaultRateLimit;
}

/** Whether a data source's credentials work, as its last check or job found out. */
export const DataSourceHealthSchema = z.strictObject({
  status: z.enum(['ok', 'failing']),
  /** What is wrong, in the upstream's words when it gave any. */
  reason: z.optional(z.string()),
  checkedAt: z.iso.datetime({ offset: true }),
});
export type DataSourceHealth = z.infer<typeof DataSourceHealthSchema>;
