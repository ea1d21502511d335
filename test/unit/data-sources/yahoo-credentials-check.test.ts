import { beforeEach, describe, expect, it } from 'vitest';
import { checkYahooCredentials } from '#shared/data-sources/yahoo/yahoo-credentials-check.ts';
import { YahooDataSource } from '#shared/data-sources/yahoo/yahoo-data-source.ts';
import { yahooChartDaily } from '#shared/datasets/yahoo-chart-daily.ts';
import { createYahooCredentialsCheck } from '#shared/lambda/create-yahoo-credentials-check.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { collectPages } from '#test/unit/data-sources/collect-pages.ts';
import { aChartAnswer } from '#test/unit/data-sources/yahoo-chart-answer.ts';
import { closedLoopbackUrl, startYahooLoopback, yahooLoopbackPerFile } from '#test/unit/data-sources/yahoo-loopback.ts';

const nikkeiPath = '/v8/finance/chart/^N225';

const loopback = yahooLoopbackPerFile();
let clock: FakeClock;

beforeEach(() => {
  clock = new FakeClock('2026-03-02T12:00:00Z');
});

/** A fetch that records each URL and answers a chart of one closed session. */
function recordingFetch(urls: string[]): typeof fetch {
  return async (input) => {
    urls.push(input instanceof Request ? input.url : String(input));
    return Response.json(aChartAnswer({ meta: { symbol: '^N225' } }));
  };
}

describe('checkYahooCredentials', () => {
  it('sends the request that YahooDataSource sends for the last week of ^N225', async () => {
    const libraryUrls: string[] = [];
    const checkUrls: string[] = [];
    const lastWeek = { symbol: '^N225', from: '2026-02-23', to: '2026-03-02' };

    const source = new YahooDataSource({ fetch: recordingFetch(libraryUrls), clock });
    await collectPages(source.fetchPages(yahooChartDaily, lastWeek, {}));
    await checkYahooCredentials({ fetch: recordingFetch(checkUrls), clock });

    expect(libraryUrls).toHaveLength(1);
    expect(checkUrls).toEqual(libraryUrls);
  });

  it('is ok when the chart answer makes rows', async () => {
    loopback.answer(nikkeiPath, { status: 200, json: aChartAnswer({ meta: { symbol: '^N225' } }) });

    await expect(checkYahooCredentials({ baseUrl: loopback.baseUrl, clock })).resolves.toEqual({ ok: true });
    expect(loopback.requests).toHaveLength(1);
  });

  it('waits on beforeRequest with the chart endpoint before the request', async () => {
    loopback.answer(nikkeiPath, { status: 200, json: aChartAnswer() });
    const endpoints: string[] = [];

    await checkYahooCredentials(
      { baseUrl: loopback.baseUrl, clock },
      {
        beforeRequest: async (endpoint) => {
          endpoints.push(endpoint);
          expect(loopback.requests).toHaveLength(0);
        },
      },
    );

    expect(endpoints).toEqual(['/v8/finance/chart']);
  });

  it('says what failed when Yahoo answers an error status', async () => {
    loopback.answer(nikkeiPath, { status: 503, text: 'Service Unavailable' });

    const check = await checkYahooCredentials({ baseUrl: loopback.baseUrl, clock });

    expect(check).toEqual({ ok: false, reason: expect.stringContaining('answered 503') });
  });

  it('says what failed when Yahoo sends its error description with status 200', async () => {
    const description = 'No data found, symbol may be delisted';
    loopback.answer(nikkeiPath, {
      status: 200,
      json: { chart: { result: null, error: { code: 'Not Found', description } } },
    });

    const check = await checkYahooCredentials({ baseUrl: loopback.baseUrl, clock });

    expect(check).toEqual({ ok: false, reason: expect.stringContaining(description) });
  });

  it('says what failed when the answer has no chart rows to make', async () => {
    loopback.answer(nikkeiPath, { status: 200, json: { chart: { result: [{ meta: {} }], error: null } } });

    const check = await checkYahooCredentials({ baseUrl: loopback.baseUrl, clock });

    expect(check).toEqual({ ok: false, reason: expect.stringContaining('unexpected shape') });
  });

  it('says what failed when the answer is not JSON', async () => {
    loopback.answer(nikkeiPath, { status: 200, text: '<html>consent</html>' });

    const check = await checkYahooCredentials({ baseUrl: loopback.baseUrl, clock });

    expect(check).toEqual({ ok: false, reason: expect.stringContaining('could not use the answer') });
  });

  it('says what failed when the answer decompresses past the cap', async () => {
    const bomb = { ...(aChartAnswer() as Record<string, unknown>), padding: '0'.repeat(2 * 1024 * 1024) };
    loopback.answer(nikkeiPath, { status: 200, json: bomb, gzip: true });

    const check = await checkYahooCredentials({ baseUrl: loopback.baseUrl, clock, maxBodyBytes: 64 * 1024 });

    expect(check).toEqual({ ok: false, reason: expect.stringContaining('larger than 65536 bytes') });
  });

  it('says what failed when nothing listens at the base URL', async () => {
    const check = await checkYahooCredentials({ baseUrl: await closedLoopbackUrl(), clock });

    expect(check).toEqual({ ok: false, reason: expect.stringContaining('failed') });
  });

  it('rethrows what a failing beforeRequest threw, sending nothing', async () => {
    const limiterDown = new Error('rate limiter table is missing');

    const checking = checkYahooCredentials(
      { baseUrl: loopback.baseUrl, clock },
      { beforeRequest: () => Promise.reject(limiterDown) },
    );

    await expect(checking).rejects.toBe(limiterDown);
    expect(loopback.requests).toHaveLength(0);
  });
});

describe('createYahooCredentialsCheck', () => {
  it('checks yahoo through YAHOO_BASE_URL', async () => {
    loopback.answer(nikkeiPath, { status: 200, json: aChartAnswer({ meta: { symbol: '^N225' } }) });

    const check = createYahooCredentialsCheck({ YAHOO_BASE_URL: loopback.baseUrl });

    expect(check.id).toBe('yahoo');
    await expect(check.validateCredentials()).resolves.toEqual({ ok: true });
    expect(loopback.requests[0]).toMatch(/^\/v8\/finance\/chart\/\^N225\?/);
  });

  it('gives up after UPSTREAM_TIMEOUT_MS', async () => {
    const server = await startYahooLoopback();
    server.answer(nikkeiPath, { hang: true });
    try {
      const check = createYahooCredentialsCheck({ YAHOO_BASE_URL: server.baseUrl, UPSTREAM_TIMEOUT_MS: '50' });

      await expect(check.validateCredentials()).resolves.toEqual({
        ok: false,
        reason: expect.stringContaining('timed out after 50 ms'),
      });
    } finally {
      await server.close();
    }
  });
});
