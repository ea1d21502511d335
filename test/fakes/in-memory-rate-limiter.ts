import type { DataSourceId } from '#shared/domain/data-source.ts';
import { isHeldSlotUsable, nextGrant, type PacingState } from '#shared/domain/rate-pacing.ts';
import type { Clock } from '#shared/ports/clock.ts';
import {
  type AcquireOptions,
  RateLimitDeferral,
  type RateLimiter,
  type RateLimitStatus,
} from '#shared/ports/rate-limiter.ts';

/**
 * A rate limiter on the fake clock, pacing like the DynamoDB one (`nextGrant`): one bucket per data source with
 * slots `intervalMs` apart (0: every request goes at once), reserved slots thrown with `RateLimitDeferral`, held
 * slots honoured. Waiting in place advances nothing: it resolves at once, as if the wait had passed. `deferMs`
 * forces a deferral without a slot. Records acquisitions and pauses.
 */
export class InMemoryRateLimiter implements RateLimiter {
  readonly acquired: { dataSource: DataSourceId; endpoint: string; atMs: number; background: boolean }[] = [];
  readonly pauses: DataSourceId[] = [];
  /** When set, `acquire` defers with this wait and no slot. */
  deferMs: number | undefined;
  /** Milliseconds between two slots of a data source. @default 0 */
  intervalMs = 0;
  /** Longest wait in place when the caller gives none. @default 5_000 */
  maxWaitMs = 5_000;
  #consecutive429s = 0;
  readonly #pausedUntil = new Map<DataSourceId, number>();
  readonly #buckets = new Map<DataSourceId, PacingState>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async acquire(dataSource: DataSourceId, endpoint: string, options: AcquireOptions = {}): Promise<void> {
    if (this.deferMs !== undefined) throw new RateLimitDeferral(dataSource, this.deferMs);
    const nowMs = this.#clock.now().getTime();
    const pausedUntilMs = this.#pausedUntil.get(dataSource) ?? 0;
    let slotMs: number;
    const bucket = { ...(this.#buckets.get(dataSource) ?? { nextGrantAtMs: 0 }), pausedUntilMs };
    if (options.heldSlot !== undefined && isHeldSlotUsable(options.heldSlot, bucket, nowMs, this.intervalMs)) {
      slotMs = Date.parse(options.heldSlot.at);
    } else {
      const { grantAtMs, next } = nextGrant(bucket, nowMs, this.intervalMs);
      if (options.background === true && grantAtMs > nowMs) throw new RateLimitDeferral(dataSource, grantAtMs - nowMs);
      this.#buckets.set(dataSource, next);
      slotMs = grantAtMs;
    }
    const waitMs = slotMs - nowMs;
    if (waitMs > (options.maxWaitMs ?? this.maxWaitMs)) {
      throw new RateLimitDeferral(dataSource, waitMs, {
        at: new Date(slotMs).toISOString(),
        intervalMs: this.intervalMs,
      });
    }
    this.acquired.push({
      dataSource,
      endpoint,
      atMs: Math.max(slotMs, nowMs),
      background: options.background === true,
    });
  }

  async pause(dataSource: DataSourceId): Promise<RateLimitStatus> {
    this.pauses.push(dataSource);
    this.#consecutive429s++;
    const pausedUntilMs = this.#clock.now().getTime() + 60_000;
    this.#pausedUntil.set(dataSource, pausedUntilMs);
    return { consecutive429s: this.#consecutive429s, pausedUntil: new Date(pausedUntilMs).toISOString() };
  }

  async recovered(): Promise<void> {
    this.#consecutive429s = 0;
  }

  async status(dataSource: DataSourceId): Promise<RateLimitStatus> {
    const pausedUntilMs = this.#pausedUntil.get(dataSource) ?? 0;
    const paused = pausedUntilMs > this.#clock.now().getTime();
    return {
      consecutive429s: this.#consecutive429s,
      ...(paused ? { pausedUntil: new Date(pausedUntilMs).toISOString() } : {}),
    };
  }
}
