import { beforeEach, describe, expect, it, vi } from 'vitest';
import { YahooDataSource, type YahooDataSourceOptions } from '#shared/data-sources/yahoo/yahoo-data-source.ts';
import { jquantsEquitiesBarsDaily } from '#shared/datasets/jquants-equities-bars-daily.ts';
import { yahooChartDaily } from '#shared/datasets/yahoo-chart-daily.ts';
import { PermanentUpstreamError, RateLimitedError, RetryableUpstreamError } from '#shared/ports/upstream-errors.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { collectPages, failureOfPages, onlyPageOf } from '#test/unit/data-sources/collect-pages.ts';
import { aChartAnswer, aTradingPeriod } from '#test/unit/data-sources/yahoo-chart-answer.ts';
import {
  closedLoopbackUrl,
  expectSilentConsolePerTest,
  startYahooLoopback,
  yahooLoopbackPerFile,
} from '#test/unit/data-sources/yahoo-loopback.ts';

const toyotaPath = '/v8/finance/chart/7203.T';
const toyota = { symbol: '7203.T', from: '2026-02-23', to: '2026-02-27' };

const loopback = yahooLoopbackPerFile();
let clock: FakeClock;
expectSilentConsolePerTest();

beforeEach(() => {
  clock = new FakeClock('2026-03-02T12:00:00Z');
});

function aSource(options: Partial<YahooDataSourceOptions> = {}): YahooDataSource {
  return new YahooDataSource({ baseUrl: loopback.baseUrl, clock, ...options });
}

/** Runs `test` against a server of its own that never answers, so a request arriving late lands in no other log. */
async function withHangingServer<T>(test: (baseUrl: string) => Promise<T>): Promise<T> {
  const server = await startYahooLoopback();
  server.answer(toyotaPath, { hang: true });
  try {
    return await test(server.baseUrl);
  } finally {
    await server.close();
  }
}

describe('YahooDataSource rows', () => {
  it('dates Tokyo bars in JST, including a bar stamped at JST midnight (the previous UTC day)', async () => {
    loopback.answer(toyotaPath, {
      status: 200,
      json: aChartAnswer({
        bars: [
          { at: '2026-02-24T00:00:00Z', open: 2900, high: 2950, low: 2880, close: 2940, volume: 1_200_000 },
          { at: '2026-02-24T15:00:00Z', open: 2945, high: 2990, low: 2930, close: 2985, volume: 1_100_000 },
        ],
      }),
    });

    const { rows } = await onlyPageOf(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(rows).toEqual([
      {
        symbol: '7203.T',
        date: '2026-02-24',
        open: 2900,
        high: 2950,
        low: 2880,
        close: 2940,
        volume: 1_200_000,
        adjustedClose: 2940,
        currency: 'JPY',
      },
      {
        symbol: '7203.T',
        date: '2026-02-25',
        open: 2945,
        high: 2990,
        low: 2930,
        close: 2985,
        volume: 1_100_000,
        adjustedClose: 2940,
        currency: 'JPY',
      },
    ]);
  });

  it('dates bars from gmtoffset when the answer names no exchange time zone', async () => {
    loopback.answer(toyotaPath, {
      status: 200,
      json: aChartAnswer({ bars: [{ at: '2026-02-24T15:00:00Z' }], meta: { exchangeTimezoneName: null } }),
    });

    const { rows } = await onlyPageOf(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(rows.map((row) => row.date)).toEqual(['2026-02-25']);
  });

  it('keeps nulls as null and tolerates a missing adjclose', async () => {
    loopback.answer(toyotaPath, {
      status: 200,
      json: aChartAnswer({
        bars: [
          { at: '2026-02-24T00:00:00Z', open: null, high: null, low: null, close: null, volume: null },
          { at: '2026-02-25T00:00:00Z', open: 2901.5, volume: null },
        ],
        withoutAdjclose: true,
      }),
    });

    const { rows } = await onlyPageOf(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(rows[0]).toMatchObject({
      open: null,
      high: null,
      low: null,
      close: null,
      volume: null,
      adjustedClose: null,
    });
    expect(rows[1]).toMatchObject({ open: 2901.5, high: 2950, volume: null, adjustedClose: null });
  });

  it('strips float32 noise from prices and keeps volumes as sent', async () => {
    loopback.answer(toyotaPath, {
      status: 200,
      json: aChartAnswer({
        bars: [{ at: '2026-02-24T00:00:00Z', open: 75.0875015258789, close: 38123.44921875, volume: 123_456_789 }],
      }),
    });

    const { rows } = await onlyPageOf(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(rows[0]).toMatchObject({ open: 75.0875, close: 38123.45, volume: 123_456_789 });
  });

  it('yields one page without rows and without a next page when Yahoo has no bars for the range', async () => {
    loopback.answer(toyotaPath, { status: 200, json: aChartAnswer({ bars: [] }) });

    const pages = await collectPages(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(pages).toEqual([{ rows: [], rejected: [] }]);
    expect(loopback.requests).toHaveLength(1);
  });

  it('drops bars outside [from, to] and keeps the later of two bars on one date', async () => {
    loopback.answer(toyotaPath, {
      status: 200,
      json: aChartAnswer({
        bars: [
          { at: '2026-02-20T00:00:00Z' },
          { at: '2026-02-24T00:00:00Z', close: 2940 },
          { at: '2026-02-24T05:59:00Z', close: 2955 },
          { at: '2026-03-02T00:00:00Z' },
        ],
      }),
    });

    const { rows } = await onlyPageOf(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(rows.map((row) => [row.date, row.close])).toEqual([['2026-02-24', 2955]]);
  });

  it('leaves out the bar of a session that is still trading', async () => {
    const session = aTradingPeriod('2026-02-27T00:00:00Z', '2026-02-27T06:30:00Z');
    const meta = { currentTradingPeriod: { pre: session, regular: session, post: session } };
    const bars = [{ at: '2026-02-26T00:00:00Z' }, { at: '2026-02-27T00:00:00Z' }];
    loopback.answer(toyotaPath, { status: 200, json: aChartAnswer({ bars, meta }) });

    clock.set('2026-02-27T03:00:00Z');
    const during = await onlyPageOf(aSource().fetchPages(yahooChartDaily, toyota, {}));
    clock.set('2026-02-27T06:30:00Z');
    const after = await onlyPageOf(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(during.rows.map((row) => row.date)).toEqual(['2026-02-26']);
    expect(after.rows.map((row) => row.date)).toEqual(['2026-02-26', '2026-02-27']);
  });

  it('asks Yahoo for a day more on each side of the range, daily, with dividends and splits', async () => {
    loopback.answer(toyotaPath, { status: 200, json: aChartAnswer() });

    await onlyPageOf(aSource().fetchPages(yahooChartDaily, toyota, {}));

    const query = new URL(loopback.requests[0] ?? '', 'http://loopback').searchParams;
    expect(query.get('period1')).toBe(String(Date.parse('2026-02-22T00:00:00Z') / 1000));
    expect(query.get('period2')).toBe(String(Date.parse('2026-03-01T00:00:00Z') / 1000));
    expect(query.get('interval')).toBe('1d');
    expect(query.get('events')).toBe('div|split');
  });

  it('retries without the library schema and reads an answer that only our schema accepts', async () => {
    const minimal = {
      chart: {
        result: [
          {
            meta: { currency: 'JPY', gmtoffset: 32400 },
            timestamp: [Date.parse('2026-02-24T00:00:00Z') / 1000],
            indicators: { quote: [{ open: [2900], close: [2940] }] },
          },
        ],
        error: null,
      },
    };
    loopback.answer(toyotaPath, { status: 200, json: minimal });
    const beforeRequest = vi.fn(async (_endpoint: string) => undefined);

    const result = await onlyPageOf(aSource().fetchPages(yahooChartDaily, toyota, { beforeRequest }));

    expect(result.rows).toEqual([
      {
        symbol: '7203.T',
        date: '2026-02-24',
        open: 2900,
        high: null,
        low: null,
        close: 2940,
        volume: null,
        adjustedClose: null,
        currency: 'JPY',
      },
    ]);
    expect(beforeRequest).toHaveBeenCalledTimes(2);
    expect(loopback.requests).toHaveLength(2);
  });
});

describe('YahooDataSource errors', () => {
  it('fails permanently with Yahoo’s message on an unknown symbol (404)', async () => {
    const error = await failureOfPages(aSource().fetchPages(yahooChartDaily, { ...toyota, symbol: 'NOPE.T' }, {}));

    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error).toMatchObject({ status: 404, endpoint: '/v8/finance/chart' });
    expect((error as Error).message).toContain('No data found, symbol may be delisted');
  });

  it('reports a 429 as rate limited with its Retry-After', async () => {
    loopback.answer(toyotaPath, { status: 429, text: 'Too Many Requests', headers: { 'retry-after': '120' } });

    const error = await failureOfPages(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 120 });
    expect((error as Error).message).toContain('Too Many Requests');
  });

  it('reports a 503 as retryable', async () => {
    loopback.answer(toyotaPath, { status: 503, text: '<html>Service Unavailable</html>' });

    const error = await failureOfPages(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error).toMatchObject({ status: 503 });
  });

  it('fails permanently on a 400 with Yahoo’s Bad Request description', async () => {
    const description = 'Invalid input - interval=1d is not supported';
    loopback.answer(toyotaPath, {
      status: 400,
      json: { chart: { result: null, error: { code: 'Bad Request', description } } },
    });

    const error = await failureOfPages(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error).toMatchObject({ status: 400 });
    expect((error as Error).message).toContain(description);
  });

  it('fails permanently on an OK answer whose arrays do not line up', async () => {
    const answer = aChartAnswer({ bars: [{ at: '2026-02-24T00:00:00Z' }] }) as {
      chart: { result: { indicators: { quote: { close: number[] }[] } }[] };
    };
    const quote = answer.chart.result[0]?.indicators.quote[0];
    if (quote !== undefined) quote.close = [1, 2];
    loopback.answer(toyotaPath, { status: 200, json: answer });

    const error = await failureOfPages(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(error).toBeInstanceOf(PermanentUpstreamError);
  });

  it('fails permanently on an OK answer our schema rejects too', async () => {
    loopback.answer(toyotaPath, {
      status: 200,
      json: { chart: { result: [{ meta: {}, timestamp: ['yesterday'], indicators: { quote: [{}] } }], error: null } },
    });

    const error = await failureOfPages(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect((error as Error).message).toContain('unexpected shape');
  });

  it('fails permanently on an OK answer that carries Yahoo’s error JSON', async () => {
    loopback.answer(toyotaPath, {
      status: 200,
      json: { chart: { result: null, error: { code: 'Unprocessable', description: 'Data doesn’t exist for range' } } },
    });

    const error = await failureOfPages(aSource().fetchPages(yahooChartDaily, toyota, {}));

    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect((error as Error).message).toContain('Data doesn’t exist for range');
  });

  it('reports a refused connection as retryable', async () => {
    const source = aSource({ baseUrl: await closedLoopbackUrl() });

    const error = await failureOfPages(source.fetchPages(yahooChartDaily, toyota, {}));

    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('reports a server slower than the timeout as retryable', async () => {
    const error = await withHangingServer((baseUrl) =>
      failureOfPages(aSource({ baseUrl, timeoutMs: 50 }).fetchPages(yahooChartDaily, toyota, {})),
    );

    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect((error as Error).message).toContain('timed out after 50 ms');
  });

  it('stops when the caller’s signal aborts', async () => {
    const controller = new AbortController();
    const beforeRequest = async (): Promise<void> => {
      setTimeout(() => controller.abort(), 10);
    };

    const error = await withHangingServer((baseUrl) =>
      failureOfPages(
        aSource({ baseUrl }).fetchPages(yahooChartDaily, toyota, { signal: controller.signal, beforeRequest }),
      ),
    );

    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect((error as Error).message).toContain('aborted');
  });

  it('fails permanently, naming the endpoint and the cap, on a small gzip body that decompresses past the cap', async () => {
    const bomb = { ...(aChartAnswer() as Record<string, unknown>), padding: '0'.repeat(2 * 1024 * 1024) };
    loopback.answer(toyotaPath, { status: 200, json: bomb, gzip: true });

    const error = await failureOfPages(aSource({ maxBodyBytes: 64 * 1024 }).fetchPages(yahooChartDaily, toyota, {}));

    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error).toMatchObject({ status: 200, endpoint: '/v8/finance/chart' });
    expect((error as Error).message).toContain('/v8/finance/chart');
    expect((error as Error).message).toContain('65536 bytes');
  });

  it('reads a gzip-encoded answer within the cap', async () => {
    loopback.answer(toyotaPath, { status: 200, json: aChartAnswer(), gzip: true });

    const page = await onlyPageOf(aSource({ maxBodyBytes: 64 * 1024 }).fetchPages(yahooChartDaily, toyota, {}));

    expect(page.rows.map((row) => row.date)).toEqual(['2026-02-27']);
  });

  it('rethrows an error of beforeRequest unchanged and makes no request', async () => {
    const limiterError = new Error('token bucket unavailable');

    const error = await failureOfPages(
      aSource().fetchPages(yahooChartDaily, toyota, { beforeRequest: () => Promise.reject(limiterError) }),
    );

    expect(error).toBe(limiterError);
    expect(loopback.requests).toHaveLength(0);
  });

  it('fails permanently on params it cannot use or a dataset of another source', async () => {
    const source = aSource();

    const badParams = await failureOfPages(
      source.fetchPages(yahooChartDaily, { symbol: '7203.T', from: '2026-02-30' }, {}),
    );
    const otherDataset = await failureOfPages(source.fetchPages(jquantsEquitiesBarsDaily, toyota, {}));

    expect(badParams).toBeInstanceOf(PermanentUpstreamError);
    expect(otherDataset).toBeInstanceOf(PermanentUpstreamError);
    expect(loopback.requests).toHaveLength(0);
  });
});

describe('YahooDataSource transport', () => {
  it('calls beforeRequest once per HTTP request', async () => {
    loopback.answer(toyotaPath, { status: 200, json: aChartAnswer() });
    const beforeRequest = vi.fn(async (_endpoint: string) => undefined);
    const source = aSource();

    await onlyPageOf(source.fetchPages(yahooChartDaily, toyota, { beforeRequest }));
    await onlyPageOf(source.fetchPages(yahooChartDaily, toyota, { beforeRequest }));

    expect(beforeRequest.mock.calls).toEqual([['/v8/finance/chart'], ['/v8/finance/chart']]);
    expect(loopback.requests).toHaveLength(2);
  });

  it('keeps the pacing of concurrent calls apart', async () => {
    loopback.answer(toyotaPath, { status: 200, json: aChartAnswer() });
    loopback.answer('/v8/finance/chart/NOPE.T', {
      status: 200,
      json: { chart: { result: [{ meta: {}, indicators: { quote: [{}] } }], error: null } },
    });
    const source = aSource();
    const paceToyota = vi.fn(async (_endpoint: string) => undefined);
    const paceOther = vi.fn(async (_endpoint: string) => undefined);

    const [toyotaPage, otherPage] = await Promise.all([
      onlyPageOf(source.fetchPages(yahooChartDaily, toyota, { beforeRequest: paceToyota })),
      onlyPageOf(source.fetchPages(yahooChartDaily, { ...toyota, symbol: 'NOPE.T' }, { beforeRequest: paceOther })),
    ]);

    expect(toyotaPage.rows).not.toEqual([]);
    expect(paceToyota).toHaveBeenCalledTimes(1);
    // The second answer fails the library's schema, so that call alone asks twice.
    expect(otherPage).toEqual({ rows: [], rejected: [] });
    expect(paceOther).toHaveBeenCalledTimes(2);
  });

  it('sends requests to Yahoo itself when no base URL is set, through the injected fetch', async () => {
    const urls: string[] = [];
    const fetchStub: typeof fetch = async (input) => {
      urls.push(String(input));
      return Response.json(aChartAnswer());
    };

    await onlyPageOf(new YahooDataSource({ fetch: fetchStub, clock }).fetchPages(yahooChartDaily, toyota, {}));

    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatch(/^https:\/\/query2\.finance\.yahoo\.com\/v8\/finance\/chart\/7203\.T\?/);
  });

  it('rewrites Yahoo’s host to the base URL, keeping path and query', async () => {
    const urls: string[] = [];
    const fetchStub: typeof fetch = async (input) => {
      urls.push(String(input));
      return Response.json(aChartAnswer());
    };

    const source = new YahooDataSource({ baseUrl: 'http://127.0.0.1:9/proxy/', fetch: fetchStub, clock });
    await onlyPageOf(source.fetchPages(yahooChartDaily, toyota, {}));

    expect(urls[0]).toMatch(/^http:\/\/127\.0\.0\.1:9\/proxy\/v8\/finance\/chart\/7203\.T\?.*interval=1d/);
  });
});

describe('YahooDataSource credentials check', () => {
  it('is ok when a chart call for ^N225 works', async () => {
    loopback.answer('/v8/finance/chart/^N225', { status: 200, json: aChartAnswer({ meta: { symbol: '^N225' } }) });

    await expect(aSource().validateCredentials()).resolves.toEqual({ ok: true });
    expect(loopback.requests[0]).toMatch(/^\/v8\/finance\/chart\/\^N225\?/);
  });

  it('says what failed when the chart call does not work', async () => {
    loopback.answer('/v8/finance/chart/^N225', { status: 503, text: 'Service Unavailable' });

    const check = await aSource().validateCredentials();

    expect(check.ok).toBe(false);
    expect(check).toMatchObject({ reason: expect.stringContaining('answered 503') });
  });
});
