import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTable } from '#infra/local/provision.ts';
import { dataSourcesTable } from '#infra/resources.ts';
import { createDocumentClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbRateLimiter } from '#shared/adapters/dynamodb-rate-limiter.ts';
import { systemClock } from '#shared/adapters/system-clock.ts';
import type { RateLimit } from '#shared/domain/data-source-settings.ts';
import { grantIntervalMs } from '#shared/domain/rate-pacing.ts';
import { RateLimitDeferral } from '#shared/ports/rate-limiter.ts';

const client = createDocumentClient();
let tableName: string;
let sequence = 0;

// Each test paces its own buckets: a limit that changes from one test to the next would pace anew.
beforeEach(async () => {
  tableName = `buckets-${Date.now()}-${++sequence}`;
  await createTable(client, dataSourcesTable, tableName);
});

const aLimiter = (limit: RateLimit, options: { maxWaitMs?: number; finsPerSecond?: number; tableName?: string } = {}) =>
  new DynamoDbRateLimiter({
    client,
    tableName,
    clock: systemClock,
    maxWaitMs: options.maxWaitMs ?? 60_000,
    limitsOf: async () => ({
      limit,
      endpointLimits:
        options.finsPerSecond === undefined
          ? []
          : [{ endpoints: ['/fins/'], bucket: `fins-${sequence}`, limit: options.finsPerSecond, per: 'second' }],
    }),
  });

/** A loopback upstream that records when each request arrived. */
async function aCountingUpstream() {
  const arrivals: number[] = [];
  const server = createServer((request, response) => {
    arrivals.push(performance.now());
    request.resume();
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { arrivals, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The most arrivals inside any window of `windowMs`. */
function busiestWindow(arrivals: readonly number[], windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let busiest = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    busiest = Math.max(busiest, end - start + 1);
  }
  return busiest;
}

describe('DynamoDB rate limiter', () => {
  let upstream: Awaited<ReturnType<typeof aCountingUpstream>>;
  beforeAll(async () => {
    upstream = await aCountingUpstream();
  });
  afterAll(() => upstream.close());

  it('keeps two workers together under the limit in every window, counted at the upstream', async () => {
    upstream.arrivals.length = 0;
    const limit: RateLimit = { limit: 10, per: 'second' };
    const worker = async () => {
      const limiter = aLimiter(limit);
      for (let request = 0; request < 25; request++) {
        await limiter.acquire('jquants', '/equities/bars/daily');
        await fetch(upstream.url);
      }
    };
    await Promise.all([worker(), worker()]);
    expect(upstream.arrivals).toHaveLength(50);
    expect(busiestWindow(upstream.arrivals, 1000)).toBeLessThanOrEqual(10);
  });

  it('holds an endpoint to its own cap on top of the source limit', async () => {
    sequence++;
    upstream.arrivals.length = 0;
    const limiter = aLimiter({ limit: 50, per: 'second' }, { finsPerSecond: 4 });
    for (let request = 0; request < 9; request++) {
      await limiter.acquire('yahoo', '/fins/summary');
      await fetch(upstream.url);
    }
    expect(busiestWindow(upstream.arrivals, 1000)).toBeLessThanOrEqual(4);
  });

  it('defers instead of waiting longer than its maximum wait', async () => {
    const limiter = aLimiter({ limit: 1, per: 'minute' }, { maxWaitMs: 1_000 });
    await limiter.acquire('jquants', '/markets/calendar');
    await expect(limiter.acquire('jquants', '/markets/calendar')).rejects.toBeInstanceOf(RateLimitDeferral);
  });

  it('pauses the source on a 429, lengthening the pause for 429s in a row, and shows it', async () => {
    const limiter = aLimiter({ limit: 100, per: 'second' }, { maxWaitMs: 1_000 });
    const first = await limiter.pause('yahoo', {});
    expect(first.consecutive429s).toBe(1);
    expect(Date.parse(first.pausedUntil ?? '') - Date.now()).toBeGreaterThan(55_000);
    // A 429 while paused came from a request granted before the pause: it does not count again.
    expect((await limiter.pause('yahoo', {})).consecutive429s).toBe(1);
    await expect(limiter.acquire('yahoo', '/v8/finance/chart')).rejects.toBeInstanceOf(RateLimitDeferral);
    expect(await limiter.status('yahoo')).toMatchObject({ consecutive429s: 1, pausedUntil: first.pausedUntil });
  });

  it('gives up a slot held at the old pace once the limit changes, for one at the new pace', async () => {
    const free = aLimiter({ limit: 5, per: 'minute' }, { maxWaitMs: 1_000 });
    await free.acquire('jquants', '/equities/bars/daily');
    const held = await deferralOf(free.acquire('jquants', '/equities/bars/daily'));
    expect(held.slot?.intervalMs).toBe(grantIntervalMs({ limit: 5, per: 'minute' }));
    const light = aLimiter({ limit: 60, per: 'minute' }, { maxWaitMs: 1_000 });
    const fresh = await deferralOf(light.acquire('jquants', '/equities/bars/daily', { heldSlot: held.slot }));
    expect(fresh.slot?.intervalMs).toBe(grantIntervalMs({ limit: 60, per: 'minute' }));
    expect(fresh.slot?.at).not.toBe(held.slot?.at);
    // At the pace it was held at, the slot is still good: its holder comes back and waits for it in place.
    const again = aLimiter({ limit: 60, per: 'minute' }, { maxWaitMs: 1_000 });
    const reused = await deferralOf(again.acquire('jquants', '/equities/bars/daily', { heldSlot: fresh.slot }));
    expect(reused.slot).toEqual(fresh.slot);
  });

  it('lets a background request take only a free slot, so a foreground one waits at most one interval', async () => {
    const limit: RateLimit = { limit: 5, per: 'minute' };
    const intervalMs = grantIntervalMs(limit);
    const limiter = aLimiter(limit, { maxWaitMs: 60_000 });
    // The bucket is free: the backfill's request goes at once.
    await limiter.acquire('jquants', '/equities/bars/daily', { background: true });
    // The next slot is an interval away: a background request is deferred without reserving it...
    const waiting = await deferralOf(limiter.acquire('jquants', '/equities/bars/daily', { background: true }));
    expect(waiting.slot).toBeUndefined();
    expect(waiting.waitMs).toBeGreaterThan(intervalMs - 1_000);
    // ...so the scheduled run's request that comes next takes it, one interval after the backfill's.
    const foreground = aLimiter(limit, { maxWaitMs: 1_000 });
    const next = await deferralOf(foreground.acquire('jquants', '/equities/bars/daily'));
    expect(Date.parse(next.slot?.at ?? '') - Date.now()).toBeLessThanOrEqual(intervalMs);
    // A foreground slot held ahead keeps the background out until it has gone.
    await deferralOf(limiter.acquire('jquants', '/equities/bars/daily', { background: true }));
  });
});

/** The deferral an acquisition ends in (it must end in one). */
async function deferralOf(acquisition: Promise<void>): Promise<RateLimitDeferral> {
  const outcome = await acquisition.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof RateLimitDeferral)) throw new Error(`expected a deferral, got ${String(outcome)}`);
  return outcome;
}
