import type { DataSourceId } from '#shared/domain/data-source.ts';
import type { EndpointRateLimit, RateLimit } from '#shared/domain/data-source-settings.ts';

/** The limits of one data source: its own, and the caps of some endpoints on top. */
export interface DataSourceLimits {
  readonly limit: RateLimit;
  readonly endpointLimits: readonly EndpointRateLimit[];
}

/** A wait longer than the caller may hold a job for: the job should be deferred, not failed. */
export class RateLimitDeferral extends Error {
  override readonly name = 'RateLimitDeferral';
  readonly waitMs: number;
  readonly dataSource: DataSourceId;

  constructor(dataSource: DataSourceId, waitMs: number) {
    super(`${dataSource} has no request slot for ${Math.ceil(waitMs / 1000)} s`);
    this.dataSource = dataSource;
    this.waitMs = waitMs;
  }
}

/** Whether a data source is paused after 429s. */
export interface RateLimitStatus {
  readonly pausedUntil?: string;
  readonly consecutive429s: number;
}

/**
 * RateLimiter: the request slots of each data source, shared by every worker at once.
 *
 * Guarantees:
 * - `acquire` resolves when this caller may send one request to `endpoint` (taking a slot of the source's bucket and
 *   of the endpoint's own bucket where one applies), so all callers together stay under the limits; it throws
 *   `RateLimitDeferral` instead of waiting longer than the limiter's maximum wait.
 * - `pause` stops every caller until the pause ends (a 429), lengthening it for 429s in a row; `recovered` ends that
 *   run of 429s once a request succeeds.
 * - Limits are read fresh at least once a minute.
 */
export interface RateLimiter {
  acquire(dataSource: DataSourceId, endpoint: string): Promise<void>;
  pause(dataSource: DataSourceId, options: { retryAfterMs?: number | undefined }): Promise<RateLimitStatus>;
  recovered(dataSource: DataSourceId): Promise<void>;
  status(dataSource: DataSourceId): Promise<RateLimitStatus>;
}
