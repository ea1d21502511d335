import type { DataSourceId } from '#shared/domain/data-source.ts';
import type { Clock } from '#shared/ports/clock.ts';
import { RateLimitDeferral, type RateLimiter, type RateLimitStatus } from '#shared/ports/rate-limiter.ts';

/** A rate limiter that grants every slot unless told to defer; records pauses and acquisitions. */
export class InMemoryRateLimiter implements RateLimiter {
  readonly acquired: { dataSource: DataSourceId; endpoint: string }[] = [];
  readonly pauses: DataSourceId[] = [];
  /** When set, `acquire` defers with this wait. */
  deferMs: number | undefined;
  #consecutive429s = 0;
  readonly #pausedUntil = new Map<DataSourceId, string>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async acquire(dataSource: DataSourceId, endpoint: string): Promise<void> {
    if (this.deferMs !== undefined) throw new RateLimitDeferral(dataSource, this.deferMs);
    this.acquired.push({ dataSource, endpoint });
  }

  async pause(dataSource: DataSourceId): Promise<RateLimitStatus> {
    this.pauses.push(dataSource);
    this.#consecutive429s++;
    const pausedUntil = new Date(this.#clock.now().getTime() + 60_000).toISOString();
    this.#pausedUntil.set(dataSource, pausedUntil);
    return { consecutive429s: this.#consecutive429s, pausedUntil };
  }

  async recovered(): Promise<void> {
    this.#consecutive429s = 0;
  }

  async status(dataSource: DataSourceId): Promise<RateLimitStatus> {
    const pausedUntil = this.#pausedUntil.get(dataSource);
    const paused = pausedUntil !== undefined && Date.parse(pausedUntil) > this.#clock.now().getTime();
    return { consecutive429s: this.#consecutive429s, ...(paused ? { pausedUntil } : {}) };
  }
}
