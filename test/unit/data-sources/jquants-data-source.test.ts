import { describe, expect, it } from 'vitest';
import { JquantsClient } from '#shared/data-sources/jquants/jquants-client.ts';
import { JquantsDataSource, jquantsEndpointRateLimits } from '#shared/data-sources/jquants/jquants-data-source.ts';
import { requireDataset } from '#shared/datasets/registry.ts';
import { PermanentUpstreamError } from '#shared/ports/upstream-errors.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { aFinsSummaryRow } from '#test/fixtures/jquants/fins-rows.ts';
import {
  anErrorBody,
  jquantsServersPerTest,
  paginated,
  refusedBaseUrl,
} from '#test/fixtures/jquants/jquants-test-server.ts';
import { aBarsDailyRow } from '#test/fixtures/jquants/market-rows.ts';

const apiKey = 'jq-test-key-5f3a9c1e7b';
const serve = jquantsServersPerTest();

function sourceOf(baseUrl: string, clock = new FakeClock()): JquantsDataSource {
  return new JquantsDataSource({ client: new JquantsClient({ apiKey: async () => apiKey, baseUrl }), clock });
}

describe('JquantsDataSource.fetch', () => {
  it('calls the dataset endpoint with the params under their J-Quants names, a 4-character code as given', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    await sourceOf(server.baseUrl).fetch(
      requireDataset('jquants.equities.bars.daily'),
      { code: '7203', from: '2026-11-01', to: '2026-11-26' },
      {},
    );
    await sourceOf(server.baseUrl).fetch(requireDataset('jquants.markets.calendar'), { hol_div: '1' }, {});
    expect(server.requests.map((request) => `${request.path}?${request.query}`)).toEqual([
      '/equities/bars/daily?code=7203&from=2026-11-01&to=2026-11-26',
      '/markets/calendar?hol_div=1',
    ]);
  });

  it('returns every page of rows, normalised, and counts the requests', async () => {
    const pages = [
      [aBarsDailyRow({ Code: '72030' })],
      [aBarsDailyRow({ Code: '67580' })],
      [aBarsDailyRow({ Code: '130A0' })],
    ];
    const server = await serve(paginated(pages));
    const beforeRequests: string[] = [];
    const result = await sourceOf(server.baseUrl).fetch(
      requireDataset('jquants.equities.bars.daily'),
      { date: '2026-11-26' },
      { beforeRequest: async (endpoint) => void beforeRequests.push(endpoint) },
    );
    expect(result.rows.map((row) => row.code)).toEqual(['72030', '67580', '130A0']);
    expect(result.upstreamRequests).toBe(3);
    expect(beforeRequests).toEqual(Array(3).fill('/equities/bars/daily'));
  });

  it('keeps one row per natural key, the later page winning, when data changes mid-loop', async () => {
    const pages = [
      [aFinsSummaryRow({ DiscNo: '1', Sales: '100' }), aFinsSummaryRow({ DiscNo: '2' })],
      [aFinsSummaryRow({ DiscNo: '1', Sales: '101' })],
    ];
    const server = await serve(paginated(pages));
    const { rows } = await sourceOf(server.baseUrl).fetch(
      requireDataset('jquants.fins.summary'),
      { date: '2026-05-08' },
      {},
    );
    expect(rows.map((row) => [row.discNo, row.netSales])).toEqual([
      ['1', 101],
      ['2', 48_036_704_000_000],
    ]);
  });

  it('fails permanently on invalid params without calling the upstream', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const failure = sourceOf(server.baseUrl).fetch(
      requireDataset('jquants.equities.bars.daily'),
      { date: '2026-11-26', from: '2026-11-01' },
      {},
    );
    await expect(failure).rejects.toBeInstanceOf(PermanentUpstreamError);
    await expect(failure).rejects.toThrow(/from: cannot be combined with date/);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a dataset of another data source', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const failure = sourceOf(server.baseUrl).fetch(requireDataset('yahoo.chart.daily'), { symbol: '7203.T' }, {});
    await expect(failure).rejects.toBeInstanceOf(PermanentUpstreamError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('JquantsDataSource.validateCredentials', () => {
  it('answers ok after one calendar call for a single day a year before today in Tokyo', async () => {
    const server = await serve(() => ({ json: { data: [{ Date: '2025-11-27', HolDiv: '1' }] } }));
    const clock = new FakeClock('2026-11-26T16:00:00.000Z');
    expect(await sourceOf(server.baseUrl, clock).validateCredentials()).toEqual({ ok: true });
    expect(server.requests.map((request) => `${request.path}?${request.query}`)).toEqual([
      '/markets/calendar?from=2025-11-27&to=2025-11-27',
    ]);
    expect(server.requests[0]?.headers['x-api-key']).toBe(apiKey);
  });

  it('answers not ok with the upstream message on 403', async () => {
    const server = await serve(() => ({
      status: 403,
      json: anErrorBody('The incoming api key is invalid or expired.'),
    }));
    const check = await sourceOf(server.baseUrl).validateCredentials();
    expect(check).toEqual({
      ok: false,
      reason: 'J-Quants /markets/calendar answered 403: The incoming api key is invalid or expired.',
    });
  });

  it('answers not ok saying what happened when the upstream is rate limiting', async () => {
    const server = await serve(() => ({ status: 429, json: anErrorBody('Too Many Requests') }));
    const check = await sourceOf(server.baseUrl).validateCredentials();
    expect(check).toMatchObject({ ok: false, reason: expect.stringContaining('429') });
  });

  it('answers not ok when the upstream cannot be reached', async () => {
    const check = await sourceOf(await refusedBaseUrl()).validateCredentials();
    expect(check).toMatchObject({ ok: false, reason: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('jquantsEndpointRateLimits', () => {
  it('caps /fins/summary and /fins/details at 60 a minute in the fins bucket', () => {
    expect(jquantsEndpointRateLimits).toEqual([
      { endpoints: ['/fins/summary', '/fins/details'], bucket: 'fins', limit: 60, per: 'minute' },
    ]);
    expect(requireDataset('jquants.fins.summary').rateLimitBucket).toBe('fins');
  });
});
