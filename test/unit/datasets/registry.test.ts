import { describe, expect, it } from 'vitest';
import { jquantsEquitiesBarsDaily } from '#shared/datasets/jquants-equities-bars-daily.ts';
import { jquantsFinsSummary } from '#shared/datasets/jquants-fins-summary.ts';
import { jquantsIndicesTopixDaily } from '#shared/datasets/jquants-indices-topix-daily.ts';
import { jquantsMarketsShortRatio } from '#shared/datasets/jquants-markets-short-ratio.ts';
import { datasets, getDataset, requireDataset } from '#shared/datasets/registry.ts';
import { yahooChartDaily } from '#shared/datasets/yahoo-chart-daily.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import * as z from '#shared/zod.ts';

const designNaturalKeys: Record<string, readonly string[]> = {
  'jquants.equities.master': ['date', 'code'],
  'jquants.equities.bars.daily': ['code', 'date'],
  'jquants.markets.calendar': ['date'],
  'jquants.fins.summary': ['discNo'],
  'jquants.indices.bars.daily': ['code', 'date'],
  'jquants.indices.topix.daily': ['date'],
  'jquants.equities.investor-types': ['section', 'startDate', 'endDate', 'publishedDate'],
  'jquants.markets.margin-interest': ['code', 'date'],
  'jquants.markets.short-ratio': ['date', 'sector33Code'],
  'jquants.fins.dividend': ['referenceNumber'],
  'jquants.markets.breakdown': ['code', 'date'],
  'yahoo.chart.daily': ['symbol', 'date'],
};

const metadata = { fetchedAt: '2026-01-05T08:00:00.000Z', runId: 'run-1' };

function pathsOf(result: { success: boolean; error?: z.core.$ZodError }): string[] {
  return (result.error?.issues ?? []).map((issue) => issue.path.join('.'));
}

/** The fields of a row schema (built on first use, so unwrapped first). */
function rowKeysOf(schema: unknown): string[] {
  const built = schema instanceof z.ZodMiniLazy ? schema.def.getter() : schema;
  return built instanceof z.ZodMiniObject ? Object.keys(built.shape) : [];
}

describe('dataset registry', () => {
  it('registers every design dataset with its natural key exactly as design §1', () => {
    expect(Object.fromEntries(datasets.map((dataset) => [dataset.id, dataset.naturalKey]))).toEqual(designNaturalKeys);
  });

  it('declares natural keys and upstream field names that are fields of the row schema', () => {
    for (const dataset of datasets) {
      const rowKeys = rowKeysOf(dataset.rowSchema);
      expect(rowKeys, dataset.id).toEqual(expect.arrayContaining([...dataset.naturalKey, 'fetchedAt', 'runId']));
      expect(rowKeys, dataset.id).toEqual(expect.arrayContaining(Object.keys(dataset.upstreamFields ?? {})));
    }
  });

  it('names each dataset after its data source and keeps J-Quants plans on J-Quants datasets only', () => {
    for (const dataset of datasets) {
      expect(dataset.id.startsWith(`${dataset.dataSource}.`), dataset.id).toBe(true);
      if (dataset.dataSource === 'yahoo') expect(dataset.minimumPlan).toBeUndefined();
    }
    expect(jquantsFinsSummary.rateLimitBucket).toBe('fins');
  });

  it('gives default params for a business date that pass each J-Quants params schema', () => {
    for (const dataset of datasets.filter((candidate) => candidate.dataSource === 'jquants')) {
      const result = dataset.paramsSchema.safeParse(dataset.defaultParams('2026-01-05'));
      expect(result.success, `${dataset.id}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    }
    expect(jquantsEquitiesBarsDaily.defaultParams('2026-01-05')).toEqual({ date: '2026-01-05' });
    expect(jquantsIndicesTopixDaily.defaultParams('2026-01-05')).toEqual({ from: '2026-01-05', to: '2026-01-05' });
  });

  it('refuses a default yahoo job because a symbol is needed', () => {
    expect(() => yahooChartDaily.defaultParams('2026-01-05')).toThrow(ValidationError);
    expect(() => yahooChartDaily.defaultParams('2026-01-05')).toThrow(/needs a symbol/);
  });

  it('looks datasets up by id and rejects an unknown id on path dataset listing the known ones', () => {
    expect(getDataset('jquants.fins.summary')).toBe(jquantsFinsSummary);
    expect(getDataset('nope')).toBeUndefined();
    try {
      requireDataset('jquants.prices');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const issue = (error as ValidationError).issues[0];
      expect(issue?.path).toBe('dataset');
      expect(issue?.message).toContain('jquants.equities.bars.daily');
    }
  });
});

describe('params rules', () => {
  const bars = jquantsEquitiesBarsDaily.paramsSchema;

  it('accepts every J-Quants combination of daily bars params', () => {
    for (const params of [
      { code: '72030' },
      { code: '7203', date: '2026-01-05' },
      { code: '130A0', from: '2026-01-01', to: '2026-01-05' },
      { code: '72030', from: '2026-01-01' },
      { date: '2028-02-29' },
    ]) {
      expect(bars.safeParse(params).success, JSON.stringify(params)).toBe(true);
    }
  });

  it('rejects date together with from and to, on each range field', () => {
    expect(
      pathsOf(bars.safeParse({ code: '72030', date: '2026-01-05', from: '2026-01-01', to: '2026-01-05' })),
    ).toEqual(['from', 'to']);
  });

  it('rejects impossible dates, lower-case codes and unknown keys', () => {
    const result = bars.safeParse({ code: '7203a', date: '2026-02-30', extra: 1 });
    expect(pathsOf(result)).toEqual(['code', 'date', '']);
    expect(result.error?.issues[1]?.message).toBe('must be a real calendar date written YYYY-MM-DD');
    expect(bars.safeParse({ date: '2027-02-29' }).success).toBe(false);
    expect(bars.safeParse({ date: '20260105' }).success).toBe(false);
  });

  it('requires a code or a date, a code for a range, and from not after to', () => {
    expect(pathsOf(bars.safeParse({}))).toEqual(['']);
    expect(pathsOf(bars.safeParse({ from: '2026-01-01', to: '2026-01-05' }))).toEqual(['from', 'to']);
    expect(pathsOf(bars.safeParse({ code: '72030', from: '2026-01-06', to: '2026-01-05' }))).toEqual(['to']);
  });

  it('applies the same rules with s33 as the short-ratio selector', () => {
    const shortRatio = jquantsMarketsShortRatio.paramsSchema;
    expect(shortRatio.safeParse({ date: '2026-01-05' }).success).toBe(true);
    expect(shortRatio.safeParse({ s33: '50', from: '2026-01-01', to: '2026-01-05' }).success).toBe(true);
    expect(pathsOf(shortRatio.safeParse({ from: '2026-01-01' }))).toEqual(['from']);
  });

  it('refuses a date on the TOPIX endpoint, which only takes from and to', () => {
    expect(jquantsIndicesTopixDaily.paramsSchema.safeParse({}).success).toBe(true);
    expect(pathsOf(jquantsIndicesTopixDaily.paramsSchema.safeParse({ date: '2026-01-05' }))).toEqual(['']);
  });

  it('validates yahoo symbols and fills a missing range with the business date', () => {
    const yahoo = yahooChartDaily.paramsSchema;
    for (const symbol of ['7203.T', '130A.T', '^N225', 'AAPL', 'EURUSD=X']) {
      expect(yahoo.safeParse({ symbol }).success, symbol).toBe(true);
    }
    expect(pathsOf(yahoo.safeParse({ symbol: '7203 T' }))).toEqual(['symbol']);
    expect(yahooChartDaily.completeParams?.({ symbol: 'AAPL' }, '2026-01-05')).toEqual({
      symbol: 'AAPL',
      from: '2026-01-05',
      to: '2026-01-05',
    });
    expect(yahooChartDaily.completeParams?.({ symbol: 'AAPL', from: '2025-12-01' }, '2026-01-05')).toEqual({
      symbol: 'AAPL',
      from: '2025-12-01',
      to: '2026-01-05',
    });
  });
});

describe('row schemas', () => {
  it('parses a daily bar with a letter code and a no-trade day of nulls', () => {
    const row = {
      code: '130A0',
      date: '2026-01-05',
      open: null,
      high: null,
      low: null,
      close: null,
      upperLimit: '0',
      lowerLimit: '0',
      volume: null,
      turnoverValue: null,
      adjustmentFactor: 1,
      adjustedOpen: null,
      adjustedHigh: null,
      adjustedLow: null,
      adjustedClose: null,
      adjustedVolume: null,
      ...metadata,
    };
    expect(jquantsEquitiesBarsDaily.rowSchema.parse(row)).toEqual(row);
    expect(jquantsEquitiesBarsDaily.rowSchema.safeParse({ ...row, close: '2047' }).success).toBe(false);
    expect(jquantsEquitiesBarsDaily.rowSchema.safeParse({ ...row, runId: undefined }).success).toBe(false);
  });

  it('parses rows of the master, calendar, short-ratio and yahoo datasets', () => {
    const samples: Record<string, Record<string, unknown>> = {
      'jquants.equities.master': {
        date: '2026-01-05',
        code: '72030',
        companyName: 'トヨタ自動車',
        companyNameEnglish: 'TOYOTA MOTOR CORPORATION',
        sector17Code: '6',
        sector17Name: '自動車・輸送機',
        sector33Code: '3700',
        sector33Name: '輸送用機器',
        scaleCategory: 'TOPIX Core30',
        marketCode: '0111',
        marketName: 'プライム',
      },
      'jquants.markets.calendar': { date: '2026-01-05', holidayDivision: '1' },
      'jquants.markets.short-ratio': {
        date: '2026-01-05',
        sector33Code: '0050',
        sellingExcludingShortValue: 1_000_000,
        shortSellingWithRestrictionsValue: 2_000,
        shortSellingWithoutRestrictionsValue: null,
      },
      'yahoo.chart.daily': {
        symbol: '7203.T',
        date: '2026-01-05',
        open: 2900,
        high: 2950,
        low: 2880,
        close: 2940,
        volume: 1_200_000,
        adjustedClose: null,
        currency: 'JPY',
      },
    };
    for (const [id, row] of Object.entries(samples)) {
      const result = requireDataset(id).rowSchema.safeParse({ ...row, ...metadata });
      expect(result.success, `${id}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    }
  });

  it('parses a fins summary row with numbers, nulls and boolean flags', () => {
    const numericKeys = rowKeysOf(jquantsFinsSummary.rowSchema).filter(
      (key) => !['discNo', 'discDate', 'discTime', 'code', 'documentType', 'currentPeriodType'].includes(key),
    );
    const row: Record<string, unknown> = Object.fromEntries(numericKeys.map((key) => [key, null]));
    Object.assign(row, {
      discNo: '20260105123456',
      discDate: '2026-01-05',
      discTime: '15:00:00',
      code: '72030',
      documentType: '3QFinancialStatements_Consolidated_IFRS',
      currentPeriodType: '3Q',
      currentPeriodEnd: '2025-12-31',
      netSales: 100_529_000_000,
      earningsPerShare: 66.76,
      forecastDividendPerShareAnnual: 90,
      materialChangesInSubsidiaries: false,
      ...metadata,
    });
    const result = jquantsFinsSummary.rowSchema.safeParse(row);
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
    expect(jquantsFinsSummary.upstreamFields?.nextYearForecastProfit).toBe('NxFNp');
  });
});
