import { describe, expect, it } from 'vitest';
import { checkPageRows, maxRejectionReasonChars, rejectionOf } from '#shared/data-sources/check-page-rows.ts';
import { requireDataset } from '#shared/datasets/registry.ts';
import { yahooChartDaily } from '#shared/datasets/yahoo-chart-daily.ts';

/** A normalised `yahoo.chart.daily` row, before the worker stamps it. */
function aChartRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    symbol: '7203.T',
    date: '2026-02-24',
    open: 2900,
    high: 2950,
    low: 2880,
    close: 2940,
    volume: 1_200_000,
    adjustedClose: 2940,
    currency: 'JPY',
    ...overrides,
  };
}

describe('checkPageRows', () => {
  it('keeps valid rows, one per natural key, the later winning', () => {
    const checked = checkPageRows(yahooChartDaily, [
      aChartRow({ close: 1 }),
      aChartRow({ date: '2026-02-25' }),
      aChartRow({ close: 2 }),
    ]);
    expect(checked.rows.map((row) => [row.date, row.close])).toEqual([
      ['2026-02-24', 2],
      ['2026-02-25', 2940],
    ]);
    expect(checked.rejected).toEqual([]);
  });

  it('rejects a row that breaks the row schema under its series, naming the field', () => {
    const checked = checkPageRows(yahooChartDaily, [aChartRow({ date: '2026-02-30' }), aChartRow()]);
    expect(checked.rows).toHaveLength(1);
    expect(checked.rejected).toEqual([
      { series: '7203.T', reason: 'date: must be a real calendar date written YYYY-MM-DD' },
    ]);
  });

  it('quotes only the first three problems of a row', () => {
    const checked = checkPageRows(yahooChartDaily, [aChartRow({ open: 'a', high: 'b', low: 'c', close: 'd' })]);
    expect(checked.rejected[0]?.reason.split('; ').map((problem) => problem.split(':')[0])).toEqual([
      'open',
      'high',
      'low',
    ]);
  });
});

describe('rejectionOf', () => {
  it('leaves the series out on a dataset whose rows have none', () => {
    expect(rejectionOf(requireDataset('jquants.markets.calendar'), { date: '2026-11-27' }, ['HolDiv: got 7'])).toEqual({
      reason: 'HolDiv: got 7',
    });
  });

  it('leaves the series out when the series field holds no string', () => {
    expect(rejectionOf(yahooChartDaily, { symbol: 7203 }, ['symbol: expected a string'])).toEqual({
      reason: 'symbol: expected a string',
    });
  });

  it('cuts a long reason to 300 characters', () => {
    const rejection = rejectionOf(yahooChartDaily, aChartRow(), ['x'.repeat(1000)]);
    expect(rejection.reason).toHaveLength(maxRejectionReasonChars);
    expect(rejection.reason.endsWith('…')).toBe(true);
  });
});
