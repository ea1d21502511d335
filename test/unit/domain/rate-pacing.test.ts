import { describe, expect, it } from 'vitest';
import {
  grantIntervalMs,
  inPlaceWaitHorizonMs,
  isHeldSlotUsable,
  nextGrant,
  pauseAfterRateLimitMs,
  sendJitterAllowanceMs,
} from '#shared/domain/rate-pacing.ts';

/** The most grants inside any sliding window. */
function busiestWindow(grants: readonly number[], windowMs: number): number {
  let busiest = 0;
  for (const start of grants)
    busiest = Math.max(busiest, grants.filter((at) => at >= start && at < start + windowMs).length);
  return busiest;
}

describe('rate pacing', () => {
  it('never grants more than the limit in any sliding window, for every plan', () => {
    for (const limit of [5, 60, 120, 500]) {
      const interval = grantIntervalMs({ limit, per: 'minute' });
      let state = { nextGrantAtMs: 0, pausedUntilMs: 0 };
      const grants: number[] = [];
      for (let request = 0; request < limit * 3; request++) {
        const { grantAtMs, next } = nextGrant(state, 0, interval);
        grants.push(grantAtMs);
        state = next;
      }
      expect(busiestWindow(grants, 60_000), `${limit}/minute`).toBeLessThanOrEqual(limit);
      expect(busiestWindow(grants, 60_000), `${limit}/minute`).toBeGreaterThanOrEqual(Math.floor(limit * 0.95));
    }
  });

  it('stays under a per-second or per-minute limit when any request leaves up to the jitter allowance late', () => {
    for (const limit of [
      { limit: 10, per: 'second' },
      { limit: 2, per: 'second' },
      { limit: 120, per: 'minute' },
    ] as const) {
      const interval = grantIntervalMs(limit);
      const windowMs = limit.per === 'second' ? 1_000 : 60_000;
      const grants = Array.from({ length: limit.limit * 2 }, (_, index) => index * interval);
      // The worst case: one request leaves as late as allowed, the rest on their slots.
      for (let late = 0; late < grants.length; late++) {
        const sent = grants
          .map((at, index) => (index === late ? at + sendJitterAllowanceMs : at))
          .sort((a, b) => a - b);
        expect(busiestWindow(sent, windowMs), `${limit.limit}/${limit.per}`).toBeLessThanOrEqual(limit.limit);
      }
    }
  });

  it('keeps per-minute limits near full use, and per-second ones at 80 % for the jitter allowance', () => {
    expect(1_000 / grantIntervalMs({ limit: 10, per: 'second' })).toBe(8);
    expect(60_000 / grantIntervalMs({ limit: 500, per: 'minute' })).toBeCloseTo(485, 0);
    expect(60_000 / grantIntervalMs({ limit: 120, per: 'minute' })).toBeCloseTo(116.4, 1);
  });

  it('grants nothing before a pause ends', () => {
    const { grantAtMs } = nextGrant({ nextGrantAtMs: 1_000, pausedUntilMs: 61_000 }, 2_000, 500);
    expect(grantAtMs).toBe(61_000);
  });

  it('grants at once on an idle bucket', () => {
    expect(nextGrant({ nextGrantAtMs: 500, pausedUntilMs: 0 }, 10_000, 500).grantAtMs).toBe(10_000);
  });

  it('pauses at least a minute after a 429, doubling per 429 in a row up to 15 minutes, honouring Retry-After', () => {
    expect(pauseAfterRateLimitMs({ consecutive429s: 1, minimumMs: 60_000 })).toBe(60_000);
    expect(pauseAfterRateLimitMs({ consecutive429s: 3, minimumMs: 60_000 })).toBe(240_000);
    expect(pauseAfterRateLimitMs({ consecutive429s: 10, minimumMs: 60_000 })).toBe(900_000);
    expect(pauseAfterRateLimitMs({ consecutive429s: 1, minimumMs: 60_000, retryAfterMs: 120_000 })).toBe(120_000);
  });

  it('gives up slots held at another pace once the limit changes, and paces anew after the last one in place', () => {
    const free = grantIntervalMs({ limit: 5, per: 'minute' });
    const light = grantIntervalMs({ limit: 60, per: 'minute' });
    const nowMs = 1_000_000;
    // Twenty deferred jobs hold slots at the free pace, up to four minutes ahead.
    const bucket = { nextGrantAtMs: nowMs + 20 * free, pausedUntilMs: 0, intervalMs: free };
    const held = { at: new Date(nowMs + 19 * free).toISOString(), intervalMs: free };
    expect(isHeldSlotUsable(held, bucket, nowMs, free)).toBe(true);
    // An upgrade voids them: a fresh slot comes within the in-place horizon, not four minutes on.
    expect(isHeldSlotUsable(held, bucket, nowMs, light)).toBe(false);
    const upgraded = nextGrant(bucket, nowMs, light);
    expect(upgraded.grantAtMs).toBe(nowMs + inPlaceWaitHorizonMs + light);
    expect(upgraded.next).toMatchObject({ intervalMs: light, nextGrantAtMs: upgraded.grantAtMs + light });
    // A downgrade keeps a full new interval after the last slot granted at the old pace.
    const busy = { nextGrantAtMs: nowMs + light, pausedUntilMs: 0, intervalMs: light };
    expect(nextGrant(busy, nowMs, free).grantAtMs).toBe(nowMs + free);
  });

  it('uses a held slot only until it has passed by more than the jitter allowance, or a pause overtook it', () => {
    const slot = { at: new Date(10_000).toISOString(), intervalMs: 100 };
    const bucket = { pausedUntilMs: 0 };
    expect(isHeldSlotUsable(slot, bucket, 10_000 + sendJitterAllowanceMs, 100)).toBe(true);
    expect(isHeldSlotUsable(slot, bucket, 10_001 + sendJitterAllowanceMs, 100)).toBe(false);
    expect(isHeldSlotUsable(slot, { pausedUntilMs: 10_001 }, 9_000, 100)).toBe(false);
  });
});
