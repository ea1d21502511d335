import type { DataSourceId } from '#shared/domain/data-source.ts';
import type { EndpointRateLimit, RateLimit } from '#shared/domain/data-source-settings.ts';
import type { HeldSlot } from '#shared/domain/rate-pacing.ts';

/** The limits of one data source: its own, and the caps of some endpoints on top. */
export interface DataSourceLimits {
  readonly limit: RateLimit;
  readonly endpointLimits: readonly EndpointRateLimit[];
}

/**
 * A wait longer than the caller may hold a job for: the job should be deferred, not failed. When the limiter reserved
 * a slot for the caller (`slot`), the deferred message holds it and comes back just before it.
 */
export class RateLimitDeferral extends Error {
  override readonly name = 'RateLimitDeferral';
  readonly waitMs: number;
  readonly dataSource: DataSourceId;
  /** The reserved slot, when one was taken. */
  readonly slot: HeldSlot | undefined;

  constructor(dataSource: DataSourceId, waitMs: number, slot?: HeldSlot) {
    super(`${dataSource} has no request slot for ${Math.ceil(waitMs / 1000)} s`);
    this.dataSource = dataSource;
    this.waitMs = waitMs;
    this.slot = slot;
  }
}

/** How one request asks for its slot. */
export interface AcquireOptions {
  /** Longest the caller may wait in place for its slot. @default the limiter's own maximum wait */
  readonly maxWaitMs?: number;
  /** A slot reserved earlier for this request (`RateLimitDeferral.slot`): used while still usable. */
  readonly heldSlot?: HeldSlot;
  /**
   * A backfill's request: it takes a slot only when one is free right now, never reserving ahead and never waiting
   * in place, so a foreground request waits at most one interval behind it. Otherwise it is deferred (no slot held)
   * until the next slot.
   */
  readonly background?: boolean;
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
 *   of the endpoint's own bucket where one applies), so all callers together stay under the limits. A slot further
 *   off than the caller may wait is reserved for it all the same and thrown as `RateLimitDeferral.slot`: the caller
 *   defers its work until then and comes back with the slot (`heldSlot`), so that waiting callers queue in slot
 *   order instead of all retrying at once. A held slot that has passed (by more than a send may be late), that a
 *   429 pause has overtaken, or that was reserved at another pace than the limits now set is given up for a fresh
 *   one (`isHeldSlotUsable`).
 * - `pause` stops every caller until the pause ends (a 429), lengthening it for 429s in a row; `recovered` ends that
 *   run of 429s once a request succeeds.
 * - Limits are read fresh at least once a minute.
 */
export interface RateLimiter {
  acquire(dataSource: DataSourceId, endpoint: string, options?: AcquireOptions): Promise<void>;
  pause(dataSource: DataSourceId, options: { retryAfterMs?: number | undefined }): Promise<RateLimitStatus>;
  recovered(dataSource: DataSourceId): Promise<void>;
  status(dataSource: DataSourceId): Promise<RateLimitStatus>;
}
