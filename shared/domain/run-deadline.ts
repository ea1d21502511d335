import type { RateLimit } from '#shared/domain/data-source-settings.ts';
import { durationMs } from '#shared/domain/iso-duration.ts';
import { grantIntervalMs } from '#shared/domain/rate-pacing.ts';

/** A run gets at least this long to finish, counted from `running`. */
export const minimumRunDeadlineMs = 6 * 60 * 60_000;

/**
 * How long a run may take once its jobs are enqueued: the group's own `runDeadline`, or else the longer of 6 hours
 * and twice the time its requests need at the data source's limit (a request per job or per date-wide fetch; pages
 * and retries are what the factor of two is for).
 */
export function runDeadlineMs(options: {
  readonly runDeadline?: string | undefined;
  readonly requests: number;
  readonly rateLimit: RateLimit;
}): number {
  const own = options.runDeadline === undefined ? undefined : durationMs(options.runDeadline);
  if (own !== undefined) return own;
  return Math.max(minimumRunDeadlineMs, Math.ceil(2 * options.requests * grantIntervalMs(options.rateLimit)));
}
