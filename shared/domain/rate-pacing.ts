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
  /** The interval the bucket last paced at; absent for a bucket never used (or written before it was kept). */
  readonly intervalMs?: number;
}

/**
 * How far ahead a slot may be that its caller waits for in place: no wait outlasts one fetch worker invocation.
 * Slots further ahead are held by deferred messages.
 */
export const inPlaceWaitHorizonMs = 30_000;

/**
 * When a request asked for at `nowMs` may go, and the state it leaves behind once it takes that slot. When the
 * interval changed (a new plan or limit), slots held ahead at the old pace are void (`isHeldSlotUsable`): the new
 * pace follows the last slot granted at the old one that a caller may still be waiting for in place.
 */
export function nextGrant(
  state: PacingState,
  nowMs: number,
  intervalMs: number,
): { grantAtMs: number; next: PacingState & { readonly intervalMs: number } } {
  const paced =
    state.intervalMs === undefined || state.intervalMs === intervalMs
      ? state.nextGrantAtMs
      : Math.min(state.nextGrantAtMs - state.intervalMs, nowMs + inPlaceWaitHorizonMs) + intervalMs;
  const grantAtMs = Math.max(paced, state.pausedUntilMs, nowMs);
  return { grantAtMs, next: { nextGrantAtMs: grantAtMs + intervalMs, pausedUntilMs: state.pausedUntilMs, intervalMs } };
}

/** A slot reserved for a deferred request: when it is, and the interval its bucket paced at when it was reserved. */
export interface HeldSlot {
  readonly at: string;
  readonly intervalMs: number;
}

/**
 * A held slot is good while it has not passed by more than a request may leave late, no 429 pause that reaches past
 * it has begun since, and the limits still pace its bucket at the interval it was reserved at: after a limit
 * change, slots held at the old pace are given up for fresh ones.
 */
export function isHeldSlotUsable(
  slot: HeldSlot,
  bucket: Pick<PacingState, 'pausedUntilMs'>,
  nowMs: number,
  intervalMs: number,
): boolean {
  const slotMs = Date.parse(slot.at);
  if (Number.isNaN(slotMs) || nowMs > slotMs + sendJitterAllowanceMs) return false;
  return bucket.pausedUntilMs <= slotMs && slot.intervalMs === intervalMs;
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
