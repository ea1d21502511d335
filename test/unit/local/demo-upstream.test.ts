import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoMarket } from '#infra/local/demo-upstream/demo-market.ts';
import { type DemoUpstream, startDemoUpstream } from '#infra/local/demo-upstream/demo-upstream.ts';
import { tradingDates } from '#infra/local/demo-upstream/market-calendar.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import { getAllPages, getJquants } from '#test/unit/local/demo-upstream-client.ts';

describe('demo upstream: J-Quants API V2', () => {
  let upstream: DemoUpstream;

  beforeAll(async () => {
    upstream = await startDemoUpstream({ pageSize: 100, requestsPerMinute: 0 });
  });

  afterAll(async () => {
    await upstream.close();
  });

  it('refuses a missing or wrong x-api-key with 403 and the real body', async () => {
    for (const apiKey of [null, 'wrong-key']) {
      const answer = await getJquants(upstream, '/equities/bars/daily', { date: '2026-01-05' }, apiKey);
      expect(answer.status).toBe(403);
      expect(answer.json).toEqual({ message: 'The incoming api key is invalid or expired.' });
    }
  });

  it('answers an unknown path with 403, as the real API does', async () => {
    const answer = await getJquants(upstream, '/listed/info', { date: '2026-01-05' });
    expect(answer.status).toBe(403);
    expect(answer.json.message).toEqual(expect.any(String));
  });

  it('splits a date-wide bars answer for 300 codes into 3 pages holding every row exactly once', async () => {
    const { rows, pages } = await getAllPages(upstream, '/equities/bars/daily', { date: '20260105' });
    expect(pages).toBe(3);
    expect(rows).toHaveLength(300);
    expect(new Set(rows.map((row) => row.Code))).toEqual(new Set(upstream.codes));
    expect(rows.every((row) => row.Date === '2026-01-05')).toBe(true);
  });

  it('sends no pagination_key on the last page and refuses a key replayed with another query', async () => {
    const first = await getJquants(upstream, '/equities/bars/daily', { date: '2026-01-05' });
    const key = first.json.pagination_key ?? '';
    expect(key).not.toBe('');
    const replayed = await getJquants(upstream, '/equities/bars/daily', { date: '2026-01-06', pagination_key: key });
    expect(replayed.status).toBe(400);
    const small = await getJquants(upstream, '/equities/bars/daily', {
      code: '72030',
      from: '2026-01-05',
      to: '2026-01-09',
    });
    expect(small.json.data).toHaveLength(5);
    expect(small.json).not.toHaveProperty('pagination_key');
  });

  it('answers the same request with the same body every time', async () => {
    for (const [path, params] of [
      ['/equities/bars/daily', { code: '72030', from: '2025-06-01', to: '2025-07-31' }],
      ['/fins/summary', { date: '2026-05-08' }],
      ['/fins/dividend', { code: '72030' }],
    ] as const) {
      const first = await getJquants(upstream, path, params);
      const second = await getJquants(upstream, path, params);
      expect(first.status).toBe(200);
      expect(second.text).toBe(first.text);
    }
  });

  it('closes the calendar on the year-end break and national holidays', async () => {
    const { rows } = await getAllPages(upstream, '/markets/calendar', { from: '2025-12-30', to: '2026-11-30' });
    const division = new Map(rows.map((row) => [row.Date, row.HolDiv]));
    for (const closed of [
      '2025-12-31',
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
      '2026-09-22',
      '2026-11-03',
      '2026-11-23',
    ]) {
      expect(division.get(closed), closed).toBe('0');
    }
    for (const open of ['2025-12-30', '2026-01-05', '2026-11-02', '2026-11-24'])
      expect(division.get(open), open).toBe('1');
    const businessDays = await getJquants(upstream, '/markets/calendar', {
      hol_div: '1',
      from: '20260101',
      to: '20260110',
    });
    expect((businessDays.json.data ?? []).map((row) => row.Date)).toEqual([
      '2026-01-05',
      '2026-01-06',
      '2026-01-07',
      '2026-01-08',
      '2026-01-09',
    ]);
  });

  it('serves bars on trading days only, with no-trade rows whose prices and volumes are all null', async () => {
    const holiday = await getJquants(upstream, '/equities/bars/daily', { date: '2026-11-03' });
    expect(holiday.json).toEqual({ data: [] });
    const { rows } = await getAllPages(upstream, '/equities/bars/daily', { date: '2026-03-02' });
    const noTrade = rows.filter((row) => row.C === null);
    expect(noTrade.length).toBeGreaterThan(0);
    for (const row of noTrade) {
      for (const field of ['O', 'H', 'L', 'C', 'Vo', 'Va', 'AdjC']) expect(row[field], field).toBeNull();
    }
    expect(rows.filter((row) => row.C !== null).every((row) => typeof row.Vo === 'number' && row.Vo > 0)).toBe(true);
  });

  it('lists issue codes with letters in the master and serves their bars', async () => {
    const letterCodes = upstream.codes.filter((code) => /[A-Z]/.test(code));
    expect(letterCodes.length).toBeGreaterThanOrEqual(5);
    expect(upstream.codes.every((code) => code.length === 5)).toBe(true);
    const { rows } = await getAllPages(upstream, '/equities/master', { date: '2026-01-05' });
    expect(rows.map((row) => row.Code)).toEqual(expect.arrayContaining(letterCodes));
    const sample = rows.find((row) => row.Code === letterCodes[0]);
    expect(sample).toMatchObject({ Date: '2026-01-05', S33: expect.stringMatching(/^\d{4}$/) });
    expect(['0111', '0112', '0113']).toContain(sample?.Mkt);
    const bars = await getJquants(upstream, '/equities/bars/daily', { code: letterCodes[0] ?? '', date: '2026-01-06' });
    expect(bars.json.data?.[0]).toMatchObject({ Code: letterCodes[0], Date: '2026-01-06' });
  });

  it('marks a 1:2 split with AdjFactor 0.5 on its ex-date and halves the adjusted history before it', async () => {
    const issue = createDemoMarket(300).issues.find((each) => each.splitIndex >= 0);
    const exDate = tradingDates[issue?.splitIndex ?? -1] ?? '';
    const { rows } = await getAllPages(upstream, '/equities/bars/daily', {
      code: issue?.code ?? '',
      from: addDays(exDate, -20),
      to: addDays(exDate, 20),
    });
    expect(rows.find((row) => row.Date === exDate)).toMatchObject({ AdjFactor: 0.5, ExRT: '1' });
    expect(rows.filter((row) => row.Date !== exDate).every((row) => row.AdjFactor === 1)).toBe(true);
    const before = rows.filter((row) => String(row.Date) < exDate && typeof row.C === 'number');
    const after = rows.filter((row) => String(row.Date) >= exDate && typeof row.C === 'number');
    expect(before.length).toBeGreaterThan(5);
    expect(before.every((row) => row.AdjC === Math.round(Number(row.C) * 5) / 10)).toBe(true);
    expect(after.every((row) => row.AdjC === row.C)).toBe(true);
  });

  it('sends every /fins/summary value as a string, blanks as ""', async () => {
    const answer = await getJquants(upstream, '/fins/summary', { date: '2026-05-08' });
    const rows = answer.json.data ?? [];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      for (const value of Object.values(row)) expect(typeof value).toBe('string');
    }
    expect(rows.some((row) => Object.values(row).includes(''))).toBe(true);
    expect(rows[0]).toMatchObject({ DiscDate: '2026-05-08', NxFNp: expect.any(String), EPS: expect.any(String) });
  });

  it('mixes numbers, "-" and "" in the /fins/dividend amounts', async () => {
    const { rows } = await getAllPages(upstream, '/fins/dividend', { code: '72030' });
    expect(rows.some((row) => typeof row.DivRate === 'number')).toBe(true);
    expect(rows.some((row) => row.DivRate === '-')).toBe(true);
    expect(rows.some((row) => row.DistAmt === '')).toBe(true);
  });

  it('answers 400 with a message for params the API does not allow together', async () => {
    for (const [path, params] of [
      ['/equities/bars/daily', { date: '2026-01-05', from: '2026-01-01' }],
      ['/equities/bars/daily', {}],
      ['/equities/bars/daily', { from: '2026-01-01', to: '2026-01-31' }],
      ['/equities/bars/daily', { date: '20240230' }],
      ['/indices/bars/daily/topix', { date: '2026-01-05' }],
      ['/markets/short-ratio', { from: '2026-01-05' }],
      ['/fins/summary', {}],
    ] as const) {
      const answer = await getJquants(upstream, path, params);
      expect(answer.status, `${path} ${JSON.stringify(params)}`).toBe(400);
      expect(answer.json.message).toEqual(expect.any(String));
    }
  });

  it('answers dates before 2020 and non-trading days with an empty 200', async () => {
    for (const [path, params] of [
      ['/equities/bars/daily', { date: '2019-12-27' }],
      ['/indices/bars/daily', { date: '2026-01-03' }],
      ['/markets/short-ratio', { date: '2026-01-04' }],
      ['/markets/breakdown', { date: '2026-05-05' }],
    ] as const) {
      const answer = await getJquants(upstream, path, params);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ data: [] });
    }
  });

  it('serves the other dataset endpoints with their documented fields', async () => {
    const index = await getJquants(upstream, '/indices/bars/daily', { date: '2026-01-05' });
    expect(index.json.data?.map((row) => row.Code)).toEqual(expect.arrayContaining(['0000', '0028', '002A']));
    const topix = await getJquants(upstream, '/indices/bars/daily/topix', { from: '2026-01-05', to: '2026-01-05' });
    expect(topix.json.data?.[0]).toEqual({ Date: '2026-01-05', ...pick(index.json.data?.[0], ['O', 'H', 'L', 'C']) });
    // The week after 2026-01-12 (Coming of Age Day) starts on a Tuesday, so its 4th business day is the Friday.
    const investors = await getJquants(upstream, '/equities/investor-types', { from: '2026-01-16', to: '2026-01-16' });
    expect(investors.json.data?.map((row) => row.Section)).toEqual([
      'TSEPrime',
      'TSEStandard',
      'TSEGrowth',
      'TokyoNagoya',
    ]);
    expect(investors.json.data?.[0]).toMatchObject({
      PubDate: '2026-01-16',
      StDate: '2026-01-05',
      EnDate: '2026-01-09',
    });
    const margin = await getJquants(upstream, '/markets/margin-interest', {
      code: '72030',
      from: '2026-01-01',
      to: '2026-01-31',
    });
    expect(margin.json.data?.map((row) => row.Date)).toEqual(['2026-01-09', '2026-01-16', '2026-01-23', '2026-01-30']);
    expect(['1', '2']).toContain(margin.json.data?.[0]?.IssType);
    const shorts = await getJquants(upstream, '/markets/short-ratio', { s33: '50', date: '2026-01-05' });
    expect(shorts.json.data).toEqual([expect.objectContaining({ Date: '2026-01-05', S33: '0050' })]);
    const breakdown = await getJquants(upstream, '/markets/breakdown', { code: '7203', date: '2026-01-05' });
    expect(breakdown.json.data?.[0]).toMatchObject({ Code: '72030', LongSellVa: expect.any(Number) });
  });

  it('gzips the answer when the request accepts gzip', async () => {
    const answer = await getJquants(upstream, '/markets/calendar', { from: '2026-01-01', to: '2026-01-31' });
    expect(answer.headers.get('content-encoding')).toBe('gzip');
    expect(answer.json.data).toHaveLength(31);
  });
});

describe('demo upstream: J-Quants rate limit', () => {
  it('answers 429 without Retry-After once the per-minute limit is spent', async () => {
    const upstream = await startDemoUpstream({ requestsPerMinute: 5 });
    try {
      const statuses: number[] = [];
      let limited: Headers | undefined;
      for (let request = 0; request < 7; request += 1) {
        const answer = await getJquants(upstream, '/markets/calendar', { from: '2026-01-01', to: '2026-01-02' });
        statuses.push(answer.status);
        if (answer.status === 429) {
          limited = answer.headers;
          expect(answer.json).toEqual({ message: 'Rate limit exceeded' });
        }
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(limited?.get('retry-after')).toBeNull();
      upstream.setRequestsPerMinute(0);
      expect((await getJquants(upstream, '/markets/calendar', {})).status).toBe(200);
    } finally {
      await upstream.close();
    }
  });
});

function pick(row: Record<string, unknown> | undefined, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field, row?.[field]]));
}
