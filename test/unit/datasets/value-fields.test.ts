import { describe, expect, it } from 'vitest';
import { ChartResultSchema, chartRows } from '#shared/data-sources/yahoo/chart-rows.ts';
import { datasets, requireDataset } from '#shared/datasets/registry.ts';
import { isEmptyOfValues } from '#shared/datasets/row-values.ts';
import { yahooChartDaily } from '#shared/datasets/yahoo-chart-daily.ts';
import * as z from '#shared/zod.ts';
import { aChartAnswer } from '#test/unit/data-sources/yahoo-chart-answer.ts';

const bars = requireDataset('jquants.equities.bars.daily');

/** The field schemas of a row schema (built on first use, so unwrapped first). */
function rowShapeOf(schema: unknown): Record<string, z.core.$ZodType> {
  const built = schema instanceof z.ZodMiniLazy ? schema.def.getter() : schema;
  return built instanceof z.ZodMiniObject ? built.shape : {};
}

describe('value fields of the datasets', () => {
  it('declares value fields that are nullable numbers of the row schema, outside the natural key', () => {
    for (const dataset of datasets) {
      const shape = rowShapeOf(dataset.rowSchema);
      expect(new Set(dataset.valueFields).size, dataset.id).toBe(dataset.valueFields.length);
      for (const field of dataset.valueFields) {
        const fieldSchema = shape[field];
        expect(fieldSchema, `${dataset.id}.${field}`).toBeDefined();
        if (fieldSchema === undefined) continue;
        expect(z.safeParse(fieldSchema, null).success, `${dataset.id}.${field} takes null`).toBe(true);
        expect(z.safeParse(fieldSchema, 1.5).success, `${dataset.id}.${field} takes a number`).toBe(true);
        expect(z.safeParse(fieldSchema, '1').success, `${dataset.id}.${field} refuses a string`).toBe(false);
        expect(dataset.naturalKey, dataset.id).not.toContain(field);
      }
    }
  });

  it('names every J-Quants value field among the fields the upstream sends', () => {
    for (const dataset of datasets.filter((candidate) => candidate.dataSource === 'jquants')) {
      expect(Object.keys(dataset.upstreamFields ?? {}), dataset.id).toEqual(
        expect.arrayContaining([...dataset.valueFields]),
      );
    }
  });

  it('fills every yahoo value field from a chart answer', () => {
    const answer = aChartAnswer({
      bars: [{ at: '2026-02-26T00:00:00Z', open: 1, high: 2, low: 3, close: 4, volume: 5, adjclose: 6 }],
    }) as { chart: { result: unknown[] } };
    const [row] = chartRows(ChartResultSchema.parse(answer.chart.result[0]), {
      symbol: '7203.T',
      from: '2026-02-26',
      to: '2026-02-26',
      now: new Date('2026-03-01T00:00:00Z'),
    });
    const values = Object.fromEntries(
      yahooChartDaily.valueFields.map((field) => [field, row?.[field as keyof typeof row]]),
    );
    expect(values).toEqual({ open: 1, high: 2, low: 3, close: 4, volume: 5, adjustedClose: 6 });
  });

  it('gives the calendar and the master no value fields and measures to the other datasets', () => {
    for (const dataset of datasets) {
      const measureless = ['jquants.markets.calendar', 'jquants.equities.master'].includes(dataset.id);
      expect(dataset.valueFields.length === 0, dataset.id).toBe(measureless);
    }
  });

  it('leaves flags and factors of daily bars out of their value fields', () => {
    expect(bars.valueFields).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(adjustmentFactor|upperLimit|lowerLimit|exRightsType)$/)]),
    );
    expect(bars.valueFields).toEqual(
      expect.arrayContaining(['open', 'high', 'low', 'close', 'volume', 'turnoverValue', 'adjustedClose']),
    );
  });
});

describe('rows empty of values', () => {
  const noTradeDay = { code: '72030', date: '2026-11-27', upperLimit: '0', lowerLimit: '0', adjustmentFactor: 1 };

  it('finds a daily bar empty when every value field is null or absent, flags and factor set', () => {
    expect(isEmptyOfValues(bars, { ...noTradeDay, open: null, close: null, volume: null })).toBe(true);
    expect(isEmptyOfValues(bars, noTradeDay)).toBe(true);
  });

  it('finds a daily bar with a single value, zero included, not empty', () => {
    expect(isEmptyOfValues(bars, { ...noTradeDay, close: null, adjustedVolume: 0 })).toBe(false);
    expect(isEmptyOfValues(bars, { ...noTradeDay, turnoverValue: 1_000 })).toBe(false);
  });

  it('never finds a row of a dataset without value fields empty', () => {
    const master = requireDataset('jquants.equities.master');
    const calendar = requireDataset('jquants.markets.calendar');
    expect(isEmptyOfValues(master, { date: '2026-11-27', code: '72030', marginCode: null })).toBe(false);
    expect(isEmptyOfValues(calendar, { date: '2026-11-27' })).toBe(false);
  });
});
