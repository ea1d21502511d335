import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YahooFinance from 'yahoo-finance2';
import { type DemoUpstream, startDemoUpstream } from '#infra/local/demo-upstream/demo-upstream.ts';
import { tradingDates } from '#infra/local/demo-upstream/market-calendar.ts';

describe('demo upstream: Yahoo chart API through yahoo-finance2', () => {
  let upstream: DemoUpstream;
  let yahoo: InstanceType<typeof YahooFinance>;

  beforeAll(async () => {
    upstream = await startDemoUpstream();
    const toDemo = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = input instanceof Request ? input.url : String(input);
      return fetch(url.replace(/^https:\/\/query[12]\.finance\.yahoo\.com/, upstream.yahooBaseUrl), init);
    };
    yahoo = new YahooFinance({
      versionCheck: false,
      fetch: toDemo,
      validation: { logErrors: false },
      logger: { info: ignore, warn: ignore, error: ignore, debug: ignore, dir: ignore },
    });
  });

  afterAll(async () => {
    await upstream.close();
  });

  it('gives daily quotes of a Tokyo symbol on trading days only, dated 09:00 JST', async () => {
    const chart = await yahoo.chart('7203.T', { period1: '2026-04-27', period2: '2026-05-12', interval: '1d' });
    expect(chart.meta).toMatchObject({ currency: 'JPY', exchangeTimezoneName: 'Asia/Tokyo', gmtoffset: 32_400 });
    const dates = chart.quotes.map((quote) => quote.date.toISOString());
    const expected = tradingDates.filter((date) => date >= '2026-04-27' && date < '2026-05-12');
    expect(dates).toEqual(expected.map((date) => `${date}T00:00:00.000Z`));
    expect(dates).not.toContain('2026-05-06T00:00:00.000Z');
    expect(chart.quotes.every((quote) => quote.close === null || quote.close > 0)).toBe(true);
  });

  it('answers the same chart request with the same numbers', async () => {
    const query = { period1: '2025-01-01', period2: '2025-03-01', interval: '1d' } as const;
    const first = await yahoo.chart('130A.T', query);
    const second = await yahoo.chart('130A.T', query);
    expect(first.quotes.length).toBeGreaterThan(30);
    expect(second.quotes).toEqual(first.quotes);
  });

  it('carries a null quote on a day the issue did not trade', async () => {
    const chart = await yahoo.chart('7203.T', { period1: '2020-09-30', period2: '2020-10-03', interval: '1d' });
    const outage = chart.quotes.find((quote) => quote.date.toISOString().startsWith('2020-10-01'));
    expect(outage).toMatchObject({ open: null, high: null, low: null, close: null, volume: null });
  });

  it('serves the Nikkei 225 as ^N225', async () => {
    const chart = await yahoo.chart('^N225', { period1: '2026-01-05', period2: '2026-01-10', interval: '1d' });
    expect(chart.meta.symbol).toBe('^N225');
    expect(chart.quotes).toHaveLength(5);
  });

  it('gives no quotes for a range without trading days', async () => {
    const chart = await yahoo.chart('7203.T', { period1: '2026-01-01', period2: '2026-01-04', interval: '1d' });
    expect(chart.quotes).toEqual([]);
  });

  it('answers an unknown symbol with 404 and Yahoo\'s "No data found" error', async () => {
    await expect(yahoo.chart('NOPE.T', { period1: '2026-01-05', period2: '2026-01-10' })).rejects.toThrow(
      'No data found, symbol may be delisted',
    );
    const raw = await fetch(`${upstream.yahooBaseUrl}/v8/finance/chart/NOPE.T?period1=1767571200&period2=1768003200`);
    expect(raw.status).toBe(404);
    expect(await raw.json()).toEqual({
      chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } },
    });
  });
});

function ignore(): void {}
