import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DemoUpstream, startDemoUpstream } from '#infra/local/demo-upstream/demo-upstream.ts';
import { getJquants } from '#test/unit/local/demo-upstream-client.ts';

const calendar = '/markets/calendar';
const calendarQuery = { from: '2026-01-05', to: '2026-01-09' };

describe('demo upstream: injected faults', () => {
  let upstream: DemoUpstream;

  beforeAll(async () => {
    upstream = await startDemoUpstream({ requestsPerMinute: 0 });
  });

  afterEach(() => {
    upstream.clearFaults();
    upstream.resetRequests();
  });

  afterAll(async () => {
    await upstream.close();
  });

  it('answers 500 for a server-error fault, then normally once its count is spent', async () => {
    upstream.injectFault({ kind: 'server-error', count: 2 });
    const statuses = [];
    for (let request = 0; request < 3; request += 1)
      statuses.push((await getJquants(upstream, calendar, calendarQuery)).status);
    expect(statuses).toEqual([500, 500, 200]);
  });

  it('answers 429 without Retry-After for a rate-limited fault', async () => {
    upstream.injectFault({ kind: 'rate-limited', count: 1 });
    const answer = await getJquants(upstream, calendar, calendarQuery);
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBeNull();
    expect(answer.json).toEqual({ message: 'Rate limit exceeded' });
  });

  it('answers 403 with the invalid-key body for a forbidden fault, even to the right key', async () => {
    upstream.injectFault({ kind: 'forbidden', count: 1 });
    const answer = await getJquants(upstream, calendar, calendarQuery);
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({ message: 'The incoming api key is invalid or expired.' });
  });

  it('answers 200 with a cut-off JSON body for a malformed fault', async () => {
    upstream.injectFault({ kind: 'malformed', count: 1 });
    const answer = await getJquants(upstream, calendar, calendarQuery);
    expect(answer.status).toBe(200);
    expect(() => JSON.parse(answer.text)).toThrow(SyntaxError);
  });

  it('holds a slow answer for its delay and then serves it normally', async () => {
    upstream.injectFault({ kind: 'slow', count: 1, delayMs: 150 });
    const slow = getJquants(upstream, calendar, calendarQuery);
    const raced = await Promise.race([slow.then(() => 'answered'), sleep(50).then(() => 'waiting')]);
    expect(raced).toBe('waiting');
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(answer.json.data).toHaveLength(5);
  });

  it('applies a fault only to paths under its prefix, with or without /v2', async () => {
    upstream.injectFault({ kind: 'server-error', pathPrefix: '/fins/summary' });
    upstream.injectFault({ kind: 'rate-limited', pathPrefix: '/v8/finance/chart' });
    expect((await getJquants(upstream, '/fins/summary', { date: '2026-05-08' })).status).toBe(500);
    expect((await getJquants(upstream, calendar, calendarQuery)).status).toBe(200);
    const chart = await fetch(`${upstream.yahooBaseUrl}/v8/finance/chart/7203.T?period1=1767571200&period2=1768176000`);
    expect(chart.status).toBe(429);
    expect(chart.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await chart.text()).toBe('Too Many Requests');
  });

  it('records every upstream request with its method, path, query and status', async () => {
    await getJquants(upstream, calendar, calendarQuery);
    await getJquants(upstream, calendar, calendarQuery, 'wrong-key');
    expect(upstream.requests).toEqual([
      { method: 'GET', path: '/v2/markets/calendar', query: calendarQuery, status: 200, at: expect.any(Number) },
      { method: 'GET', path: '/v2/markets/calendar', query: calendarQuery, status: 403, at: expect.any(Number) },
    ]);
    upstream.resetRequests();
    expect(upstream.requests).toEqual([]);
  });

  it('is controlled over HTTP under /__demo without a key', async () => {
    const posted = await fetch(`${upstream.url}/__demo/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'server-error', pathPrefix: '/markets/calendar' }),
    });
    expect(posted.status).toBe(204);
    expect((await getJquants(upstream, calendar, calendarQuery)).status).toBe(500);
    expect((await fetch(`${upstream.url}/__demo/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await getJquants(upstream, calendar, calendarQuery)).status).toBe(200);
    const logged = await fetch(`${upstream.url}/__demo/requests`);
    const body = (await logged.json()) as { requests: { status: number }[] };
    expect(body.requests.map((request) => request.status)).toEqual([500, 200]);
    const refused = await fetch(`${upstream.url}/__demo/faults`, { method: 'POST', body: '{"kind":"flood"}' });
    expect(refused.status).toBe(400);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
