import { describe, expect, it } from 'vitest';
import { JquantsClient } from '#shared/data-sources/jquants/jquants-client.ts';
import { JquantsDataSource, jquantsEndpointRateLimits } from '#shared/data-sources/jquants/jquants-data-source.ts';
import { requireDataset } from '#shared/datasets/registry.ts';
import { MissingCredentialsError, PermanentUpstreamError } from '#shared/ports/upstream-errors.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { aFinsSummaryRow } from '#test/fixtures/jquants/fins-rows.ts';
import {
  anErrorBody,
  jquantsServersPerTest,
  paginated,
  refusedBaseUrl,
} from '#test/fixtures/jquants/jquants-test-server.ts';
import { aBarsDailyRow } from '#test/fixtures/jquants/market-rows.ts';
import { collectPages, failureOfPages } from '#test/unit/data-sources/collect-pages.ts';

const apiKey = 'jq-test-key-5f3a9c1e7b';
const serve = jquantsServersPerTest();
const barsDaily = requireDataset('jquants.equities.bars.daily');

function sourceOf(
  baseUrl: string,
  clock = new FakeClock(),
  readKey = async (): Promise<string> => apiKey,
): JquantsDataSource {
  return new JquantsDataSource({ client: new JquantsClient({ apiKey: readKey, baseUrl }), clock });
}

describe('JquantsDataSource.fetchPages', () => {
  it('calls the dataset endpoint with the params under their J-Quants names, a 4-character code as given', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const source = sourceOf(server.baseUrl);
    await collectPages(source.fetchPages(barsDaily, { code: '7203', from: '2026-11-01', to: '2026-11-26' }, {}));
    await collectPages(source.fetchPages(requireDataset('jquants.markets.calendar'), { hol_div: '1' }, {}));
    expect(server.requests.map((request) => `${request.path}?${request.query}`)).toEqual([
      '/equities/bars/daily?code=7203&from=2026-11-01&to=2026-11-26',
      '/markets/calendar?hol_div=1',
    ]);
  });

  it('yields each page normalised, with its pagination_key as next and none on the last', async () => {
    const pages = [
      [aBarsDailyRow({ Code: '72030' })],
      [aBarsDailyRow({ Code: '67580' })],
      [aBarsDailyRow({ Code: '130A0' })],
    ];
    const server = await serve(paginated(pages));
    const beforeRequests: string[] = [];
    const fetched = await collectPages(
      sourceOf(server.baseUrl).fetchPages(
        barsDaily,
        { date: '2026-11-26' },
        { beforeRequest: async (endpoint: string) => void beforeRequests.push(endpoint) },
      ),
    );
    expect(fetched.map((page) => [page.rows.map((row) => row.code), page.next, page.rejected])).toEqual([
      [['72030'], 'page+1/key==', []],
      [['67580'], 'page+2/key==', []],
      [['130A0'], undefined, []],
    ]);
    expect(fetched[0]?.rows[0]).toMatchObject({ code: '72030', date: '2026-11-26', open: 2047, close: 2050.5 });
    expect(beforeRequests).toEqual(Array(3).fill('/equities/bars/daily'));
  });

  it('requests the next page only when the caller pulls it', async () => {
    const server = await serve(paginated([[aBarsDailyRow({ Code: '72030' })], [aBarsDailyRow({ Code: '67580' })]]));
    const pages = sourceOf(server.baseUrl).fetchPages(barsDaily, { date: '2026-11-26' }, {})[Symbol.asyncIterator]();
    await pages.next();
    expect(server.requests).toHaveLength(1);
    await pages.next();
    expect(server.requests).toHaveLength(2);
  });

  it('keeps one row per natural key within a page, the later winning', async () => {
    const server = await serve(() => ({
      json: { data: [aFinsSummaryRow({ DiscNo: '1', Sales: '100' }), aFinsSummaryRow({ DiscNo: '1', Sales: '101' })] },
    }));
    const [page] = await collectPages(
      sourceOf(server.baseUrl).fetchPages(requireDataset('jquants.fins.summary'), { date: '2026-05-08' }, {}),
    );
    expect(page?.rows.map((row) => [row.discNo, row.netSales])).toEqual([['1', 101]]);
  });

  it('yields a key repeated on a later page with that page, for the caller to let it win', async () => {
    const pages = [
      [aFinsSummaryRow({ DiscNo: '1', Sales: '100' }), aFinsSummaryRow({ DiscNo: '2' })],
      [aFinsSummaryRow({ DiscNo: '1', Sales: '101' })],
    ];
    const server = await serve(paginated(pages));
    const fetched = await collectPages(
      sourceOf(server.baseUrl).fetchPages(requireDataset('jquants.fins.summary'), { date: '2026-05-08' }, {}),
    );
    expect(fetched.map((page) => page.rows.map((row) => [row.discNo, row.netSales]))).toEqual([
      [
        ['1', 100],
        ['2', 48_036_704_000_000],
      ],
      [['1', 101]],
    ]);
  });

  it('resumes at resumeAt and marks the first page restarted when the upstream refuses it', async () => {
    const pages = [[aBarsDailyRow({ Code: '72030' })], [aBarsDailyRow({ Code: '67580' })]];
    const server = await serve(paginated(pages));
    const source = sourceOf(server.baseUrl);
    const resumed = await collectPages(
      source.fetchPages(barsDaily, { date: '2026-11-26' }, { resumeAt: 'page+1/key==' }),
    );
    const restarted = await collectPages(source.fetchPages(barsDaily, { date: '2026-11-26' }, { resumeAt: 'stale' }));
    expect(resumed.map((page) => [page.rows.map((row) => row.code), page.restarted])).toEqual([[['67580'], undefined]]);
    expect(restarted.map((page) => [page.rows.map((row) => row.code), page.restarted])).toEqual([
      [['72030'], true],
      [['67580'], undefined],
    ]);
  });

  it('fails permanently on invalid params without calling the upstream', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const error = await failureOfPages(
      sourceOf(server.baseUrl).fetchPages(barsDaily, { date: '2026-11-26', from: '2026-11-01' }, {}),
    );
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect((error as Error).message).toMatch(/from: cannot be combined with date/);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a dataset of another data source', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const error = await failureOfPages(
      sourceOf(server.baseUrl).fetchPages(requireDataset('yahoo.chart.daily'), { symbol: '7203.T' }, {}),
    );
    expect(error).toBeInstanceOf(PermanentUpstreamError);
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

  it('asks for the first page only, whatever position its context carries', async () => {
    const server = await serve((_request, index) => ({ json: { data: [], pagination_key: `k${index}` } }));
    expect(await sourceOf(server.baseUrl).validateCredentials({ resumeAt: 'k9' })).toEqual({ ok: true });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.query.has('pagination_key')).toBe(false);
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

  it('answers not ok, saying what to do, when no key is configured', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const readKey = async (): Promise<string> => {
      throw new MissingCredentialsError('no J-Quants API key: set JQUANTS_API_KEY or JQUANTS_API_KEY_SECRET_ARN');
    };
    const check = await sourceOf(server.baseUrl, new FakeClock(), readKey).validateCredentials();
    expect(check).toEqual({
      ok: false,
      reason: 'no J-Quants API key: set JQUANTS_API_KEY or JQUANTS_API_KEY_SECRET_ARN',
    });
    expect(server.requests).toHaveLength(0);
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
