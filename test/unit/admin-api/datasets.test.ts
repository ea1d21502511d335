import { describe, expect, it } from 'vitest';
import { anAdminApi } from '#test/fixtures/admin-api-harness.ts';

interface DatasetView {
  readonly id: string;
  readonly dataSource: string;
  readonly naturalKey: string[];
  readonly params: { type?: unknown; properties?: Record<string, unknown> };
}

/** Design §1 "Datasets to support": id and natural key of a row. */
const designDatasets: readonly (readonly [string, readonly string[]])[] = [
  ['jquants.equities.master', ['date', 'code']],
  ['jquants.equities.bars.daily', ['code', 'date']],
  ['jquants.markets.calendar', ['date']],
  ['jquants.fins.summary', ['discNo']],
  ['jquants.indices.bars.daily', ['code', 'date']],
  ['jquants.indices.topix.daily', ['date']],
  ['jquants.equities.investor-types', ['section', 'startDate', 'endDate', 'publishedDate']],
  ['jquants.markets.margin-interest', ['code', 'date']],
  ['jquants.markets.short-ratio', ['date', 'sector33Code']],
  ['jquants.fins.dividend', ['referenceNumber']],
  ['jquants.markets.breakdown', ['code', 'date']],
  ['yahoo.chart.daily', ['symbol', 'date']],
];

async function listDatasets(): Promise<DatasetView[]> {
  const { request } = anAdminApi();
  const response = await request('GET', '/datasets');
  expect(response.status).toBe(200);
  return response.body.datasets;
}

describe('admin API: GET /datasets', () => {
  it('lists the twelve datasets of the design with their natural keys', async () => {
    const datasets = await listDatasets();
    expect(datasets.map((dataset) => [dataset.id, dataset.naturalKey])).toEqual(designDatasets);
  });

  it('names the data source of each dataset', async () => {
    for (const dataset of await listDatasets()) {
      expect(dataset.dataSource, dataset.id).toBe(dataset.id.split('.')[0]);
    }
  });

  it('describes the params of each dataset as a JSON schema object', async () => {
    for (const dataset of await listDatasets()) {
      expect(dataset.params.type, dataset.id).toBe('object');
      expect(dataset.params.properties, dataset.id).toBeTypeOf('object');
    }
    const bars = (await listDatasets()).find((dataset) => dataset.id === 'jquants.equities.bars.daily');
    expect(Object.keys(bars?.params.properties ?? {})).toEqual(expect.arrayContaining(['code', 'date']));
  });

  it('serves JSON that survives serialisation unchanged', async () => {
    const datasets = await listDatasets();
    expect(JSON.parse(JSON.stringify(datasets))).toEqual(datasets);
  });
});
