import { describe, expect, it } from 'vitest';
import { JquantsClient } from '#shared/data-sources/jquants/jquants-client.ts';
import { JquantsDataSource } from '#shared/data-sources/jquants/jquants-data-source.ts';
import { mappedJquantsDatasetIds } from '#shared/data-sources/jquants/row-mappers.ts';
import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { datasets, requireDataset } from '#shared/datasets/registry.ts';
import type { FetchedPage } from '#shared/ports/data-source.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { aDividendRow, aFinsSummaryRow, aForecastDividendRow } from '#test/fixtures/jquants/fins-rows.ts';
import { jquantsServersPerTest } from '#test/fixtures/jquants/jquants-test-server.ts';
import {
  aBarsDailyRow,
  aBreakdownRow,
  aCalendarRow,
  aMarginInterestRow,
  aMasterRow,
  aNoTradeBarsDailyRow,
  anIndexBarsRow,
  anInvestorTypesRow,
  aShortRatioRow,
  aTopixRow,
  premiumSessionFields,
} from '#test/fixtures/jquants/market-rows.ts';
import { onlyPageOf } from '#test/unit/data-sources/collect-pages.ts';

const metadata = { fetchedAt: '2026-11-27T08:00:00.000Z', runId: 'daily-bars.20261127T080000Z' };
const serve = jquantsServersPerTest();

/** Serves `rows` as one J-Quants page and fetches it through the data source. */
async function fetchServed(datasetId: string, params: Record<string, unknown>, rows: unknown[]): Promise<FetchedPage> {
  const server = await serve(() => ({ json: { data: rows } }));
  const client = new JquantsClient({ apiKey: async () => 'jq-test-key', baseUrl: server.baseUrl });
  const source = new JquantsDataSource({ client, clock: new FakeClock() });
  return onlyPageOf(source.fetchPages(requireDataset(datasetId), params, {}));
}

async function onlyRowOf(datasetId: string, params: Record<string, unknown>, row: unknown): Promise<unknown> {
  const { rows } = await fetchServed(datasetId, params, [row]);
  expect(rows).toHaveLength(1);
  return rows[0];
}

/** Upstream sample rows of every J-Quants dataset, with params a job could carry. */
const samples: Record<string, { params: Record<string, unknown>; rows: unknown[] }> = {
  'jquants.equities.master': { params: { date: '2026-11-27' }, rows: [aMasterRow(), aMasterRow({ Code: '130A0' })] },
  'jquants.equities.bars.daily': {
    params: { date: '2026-11-26' },
    rows: [
      aBarsDailyRow(),
      aNoTradeBarsDailyRow({ Code: '130A0' }),
      aBarsDailyRow({ Code: '13010', MktCap: 3_250_000 }),
    ],
  },
  'jquants.markets.calendar': {
    params: { from: '2026-11-27', to: '2026-11-28' },
    rows: [aCalendarRow(), aCalendarRow({ Date: '2026-11-28', HolDiv: '0' })],
  },
  'jquants.fins.summary': { params: { date: '2026-05-08' }, rows: [aFinsSummaryRow()] },
  'jquants.indices.bars.daily': {
    params: { date: '2026-11-26' },
    rows: [anIndexBarsRow(), anIndexBarsRow({ Code: '002A' })],
  },
  'jquants.indices.topix.daily': { params: { from: '2026-11-26', to: '2026-11-26' }, rows: [aTopixRow()] },
  'jquants.equities.investor-types': { params: { section: 'TSEPrime' }, rows: [anInvestorTypesRow()] },
  'jquants.markets.margin-interest': { params: { date: '2026-11-20' }, rows: [aMarginInterestRow()] },
  'jquants.markets.short-ratio': { params: { date: '2026-11-26' }, rows: [aShortRatioRow()] },
  'jquants.fins.dividend': { params: { date: '2026-05-08' }, rows: [aDividendRow(), aForecastDividendRow()] },
  'jquants.markets.breakdown': { params: { date: '2026-11-26' }, rows: [aBreakdownRow()] },
};

const jquantsDatasets = datasets.filter((dataset) => dataset.dataSource === 'jquants');

describe('J-Quants rows', () => {
  it('has a row mapper and a sample for every J-Quants dataset of the registry', () => {
    const ids = jquantsDatasets.map((dataset) => dataset.id);
    expect([...mappedJquantsDatasetIds].sort()).toEqual([...ids].sort());
    expect(Object.keys(samples).sort()).toEqual([...ids].sort());
  });

  it.each(jquantsDatasets.map((dataset): [string, DatasetDefinition] => [dataset.id, dataset]))(
    'maps %s rows so that they parse with its rowSchema once fetchedAt and runId are added',
    async (id, dataset) => {
      const sample = samples[id];
      if (sample === undefined) throw new Error(`no sample for ${id}`);
      const { rows, rejected } = await fetchServed(id, sample.params, sample.rows);
      expect(rejected).toEqual([]);
      expect(rows).toHaveLength(sample.rows.length);
      for (const row of rows) {
        expect(dataset.rowSchema.safeParse({ ...row, ...metadata }).error?.issues).toBeUndefined();
        for (const value of Object.values(row)) expect(value).not.toSatisfy((v) => v === '' || v === '-' || v === '*');
      }
    },
  );

  it('turns the all-string fins summary into numbers, nulls for blanks and booleans for flags', async () => {
    const row = await onlyRowOf('jquants.fins.summary', { date: '2026-05-08' }, aFinsSummaryRow());
    expect(row).toMatchObject({
      discNo: '20260508512345',
      code: '72030',
      discTime: '13:55:00',
      netSales: 48_036_704_000_000,
      ordinaryProfit: null,
      earningsPerShare: 365.94,
      dilutedEarningsPerShare: null,
      investingCashFlow: -4_998_728_000_000,
      equityToAssetRatio: 0.38,
      nextYearForecastProfit: 3_100_000_000_000,
      nextYearForecastProfit2ndQuarter: null,
      materialChangesInSubsidiaries: false,
      changesInAccountingEstimates: true,
      significantChangesInScopeOfConsolidation: null,
      nextFiscalYearEnd: '2027-03-31',
    });
    expect(row).not.toHaveProperty('shareholdersEquity');
  });

  it('reads the 2026 fins summary additions when they are sent', async () => {
    const row = await onlyRowOf(
      'jquants.fins.summary',
      { code: '72030' },
      aFinsSummaryRow({ ShEq: '35000000000000', ROE: '0.129' }),
    );
    expect(row).toMatchObject({ shareholdersEquity: 35_000_000_000_000, returnOnEquity: 0.129 });
  });

  it('stores an undetermined dividend ("-") and unset amounts ("") as null', async () => {
    const row = await onlyRowOf('jquants.fins.dividend', { code: '72030' }, aForecastDividendRow());
    expect(row).toMatchObject({
      dividendRate: null,
      payableDate: null,
      distributionAmount: null,
      forecastResultCode: '2',
    });
  });

  it('keeps the JSON numbers of a decided dividend', async () => {
    const row = await onlyRowOf('jquants.fins.dividend', { code: '72030' }, aDividendRow({ CommDivRate: '10.5' }));
    expect(row).toMatchObject({ dividendRate: 50, commemorativeDividendRate: 10.5, exDate: '2026-03-30' });
  });

  it('keeps the nulls of a no-trade day and never turns them into 0', async () => {
    const row = await onlyRowOf('jquants.equities.bars.daily', { date: '2026-11-26' }, aNoTradeBarsDailyRow());
    expect(row).toMatchObject({
      open: null,
      high: null,
      low: null,
      close: null,
      volume: null,
      turnoverValue: null,
      adjustedClose: null,
      adjustmentFactor: 1,
    });
  });

  it('keeps codes with letters as strings', async () => {
    const row = await onlyRowOf('jquants.equities.bars.daily', { code: '130A' }, aBarsDailyRow({ Code: '130A0' }));
    expect(row).toMatchObject({ code: '130A0' });
  });

  it('ignores Premium session fields and unknown fields, and omits fields the plan does not send', async () => {
    const upstream = aBarsDailyRow({ ...premiumSessionFields(), SomethingNew: 'x' });
    const row = await onlyRowOf('jquants.equities.bars.daily', { date: '2026-11-26' }, upstream);
    for (const field of ['MO', 'AAdjVo', 'SomethingNew']) expect(row).not.toHaveProperty(field);
    expect(row).toMatchObject({ open: 2047, close: 2050.5 });
    expect(row).not.toHaveProperty('marketCap');
    expect(row).not.toHaveProperty('exRightsType');
  });

  it('reads market cap and the ex-rights type when the plan sends them', async () => {
    const upstream = aBarsDailyRow({ MktCap: 33_123_456, ExRT: '1', AdjFactor: 0.5 });
    const row = await onlyRowOf('jquants.equities.bars.daily', { date: '2026-11-26' }, upstream);
    expect(row).toMatchObject({ marketCap: 33_123_456, exRightsType: '1', adjustmentFactor: 0.5 });
  });

  it('omits the margin and product fields of a master row that lacks them', async () => {
    const upstream = aMasterRow({ Mrgn: undefined, MrgnNm: undefined, ProdCat: undefined });
    const row = await onlyRowOf('jquants.equities.master', { date: '2026-11-27' }, upstream);
    expect(row).toMatchObject({ code: '72030', companyName: 'トヨタ自動車', marketCode: '0111' });
    expect(row).not.toHaveProperty('marginCode');
    expect(row).not.toHaveProperty('productCategory');
  });

  it('writes a 33-sector code sent as 50 as 0050', async () => {
    const row = await onlyRowOf('jquants.markets.short-ratio', { date: '2026-11-26' }, aShortRatioRow({ S33: '50' }));
    expect(row).toMatchObject({ sector33Code: '0050', shortSellingWithRestrictionsValue: 412_300_000 });
  });
});

describe('J-Quants rejected rows', () => {
  it('rejects a row whose numeric column holds text under its issue code, naming the field, and keeps the rest', async () => {
    const page = await fetchServed('jquants.fins.summary', { date: '2026-05-08' }, [
      aFinsSummaryRow({ DiscNo: '1', Code: '72030', Sales: 'n/a' }),
      aFinsSummaryRow({ DiscNo: '2', Code: '67580' }),
    ]);
    expect(page.rows.map((row) => row.code)).toEqual(['67580']);
    expect(page.rejected).toEqual([
      { series: '72030', reason: 'Sales: got "n/a"; expected a number, a numeric string or a blank' },
    ]);
  });

  it('names every unreadable field of a rejected row', async () => {
    const page = await fetchServed('jquants.equities.bars.daily', { date: '2026-11-26' }, [
      aBarsDailyRow({ O: 'x', UL: {} }),
    ]);
    expect(page.rejected).toEqual([{ series: '72030', reason: expect.stringMatching(/^O: got "x".*; UL: got \{\}/) }]);
  });

  it('rejects a row whose code arrives as a JSON number under that code, as sent', async () => {
    const page = await fetchServed('jquants.equities.bars.daily', { date: '2026-11-26' }, [
      aBarsDailyRow({ Code: 72030 }),
    ]);
    expect(page.rows).toEqual([]);
    expect(page.rejected).toEqual([{ series: '72030', reason: expect.stringContaining('Code: got 72030') }]);
  });

  it('rejects a row that breaks its dataset schema, naming the row field, without a series on a date-only dataset', async () => {
    const page = await fetchServed('jquants.markets.calendar', {}, [aCalendarRow({ HolDiv: '7' }), aCalendarRow()]);
    expect(page.rows).toHaveLength(1);
    expect(page.rejected).toEqual([{ reason: expect.stringMatching(/^holidayDivision: /) }]);
  });

  it('rejects a mapped row the schema refuses under the issue code read from it', async () => {
    const page = await fetchServed('jquants.equities.bars.daily', { date: '2026-11-26' }, [
      aBarsDailyRow({ Code: '130A0', Date: '2026/11/26' }),
    ]);
    expect(page.rejected).toEqual([{ series: '130A0', reason: expect.stringMatching(/^date: /) }]);
  });

  it('reads the series of a rejected short-ratio row as its 4-digit sector code', async () => {
    const page = await fetchServed('jquants.markets.short-ratio', { date: '2026-11-26' }, [
      aShortRatioRow({ S33: '50', ShrtNoResVa: 'lots' }),
    ]);
    expect(page.rejected).toEqual([{ series: '0050', reason: expect.stringContaining('ShrtNoResVa') }]);
  });

  it('rejects a row that is not an object without a series', async () => {
    const page = await fetchServed('jquants.equities.bars.daily', { date: '2026-11-26' }, ['72030', aBarsDailyRow()]);
    expect(page.rows).toHaveLength(1);
    expect(page.rejected).toEqual([{ reason: 'the row is not an object' }]);
  });

  it('keeps a rejection reason within 300 characters and never quotes the whole row', async () => {
    const long = `n/a ${'unreadable-value '.repeat(40)}`;
    const page = await fetchServed('jquants.equities.bars.daily', { date: '2026-11-26' }, [
      aBarsDailyRow({ O: long, H: long, L: long, C: long, Vo: long, Va: long, AdjO: long, AdjC: long }),
    ]);
    const [rejection] = page.rejected;
    expect(rejection?.series).toBe('72030');
    expect(rejection?.reason.length).toBeLessThanOrEqual(300);
    expect(rejection?.reason).toMatch(/^O: got "n\/a unreadable-value/);
    expect(rejection?.reason).not.toContain('unreadable-value '.repeat(4));
    expect(rejection?.reason).not.toContain('2026-11-26');
  });
});
