import type { RateLimit } from '#shared/domain/data-source-settings.ts';

/**
 * Pacing under an upstream's rate limit. Requests are spaced evenly (a cell-rate schedule with no burst): each one
 * is granted at the bucket's "theoretical arrival time", which then moves one interval on. Spaced at `limit` per
 * period they could still land `limit + 1` in one sliding window, and network jitter compresses spacing, so the
 * interval is stretched by `paceFraction`: at most ⌊0.97·limit⌋ + 1 ≤ limit requests fit any window.
 */
export const paceFraction = 0.97;

const periodMs: Record<RateLimit['per'], number> = { second: 1_000, minute: 60_000, hour: 3_600_000 };

/** Milliseconds between two granted requests under `limit`. */
export function grantIntervalMs(limit: RateLimit): number {
  return periodMs[limit.per] / (limit.limit * paceFraction);
}

/** The state of one shared bucket. */
export interface PacingState {
  /** When the next request may go (epoch ms); 0 for a bucket never used. */
  readonly nextGrantAtMs: number;
  /** Nothing goes before this (a 429 paused the source); 0 when not paused. */
  readonly pausedUntilMs: number;
}

/** When a request asked for at `nowMs` may go, and the state it leaves behind once it takes that slot. */
export function nextGrant(
  state: PacingState,
  nowMs: number,
  intervalMs: number,
): { grantAtMs: number; next: PacingState } {
  const grantAtMs = Math.max(state.nextGrantAtMs, state.pausedUntilMs, nowMs);
  return { grantAtMs, next: { nextGrantAtMs: grantAtMs + intervalMs, pausedUntilMs: state.pausedUntilMs } };
}

/**
 * How long a data source pauses after a 429: at least `minimumMs` (J-Quants sends no Retry-After and blocks clients
 * that keep pushing) or the upstream's Retry-After, doubled for every 429 in a row, at most 15 minutes.
 */
export function pauseAfterRateLimitMs(options: {
  consecutive429s: number;
  minimumMs: number;
  retryAfterMs?: number | undefined;
}): number {
  const base = Math.max(options.minimumMs, options.retryAfterMs ?? 0);
  return Math.min(15 * 60_000, base * 2 ** Math.max(0, options.consecutive429s - 1));
}
