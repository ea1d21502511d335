import type { RateLimit } from '#shared/domain/data-source-settings.ts';

/**
 * Pacing under an upstream's rate limit. Requests are spaced evenly (a cell-rate schedule with no burst): each one
 * is granted at the bucket's "theoretical arrival time", which then moves one interval on. Spaced at `limit` per
 * period they could still land `limit + 1` in one sliding window, and a request that leaves late (a slow bucket
 * write, a busy event loop, the network) brings the next ones closer to it, so the interval is stretched two ways:
 * by `paceFraction` (at most ⌊0.97·limit⌋ + 1 ≤ limit grants fit any window), and so that `limit` intervals outlast
 * the period by `sendJitterAllowanceMs`. The fraction rules per-minute limits (3 % of a minute is 1.8 s); the
 * allowance rules per-second ones, where 3 % would be 30 ms.
 */
export const paceFraction = 0.97;

/** How late a request may leave after its slot, while the later ones leave on time, without breaking the limit. */
export const sendJitterAllowanceMs = 250;

const periodMs: Record<RateLimit['per'], number> = { second: 1_000, minute: 60_000, hour: 3_600_000 };

/** Milliseconds between two granted requests under `limit`. */
export function grantIntervalMs(limit: RateLimit): number {
  const period = periodMs[limit.per];
  return Math.max(period / (limit.limit * paceFraction), (period + sendJitterAllowanceMs) / limit.limit);
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
