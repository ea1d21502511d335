import type { DatasetDefinition } from '#shared/datasets/dataset.ts';

/**
 * How a dataset's stored rows are found: by series (the issue code, index code, symbol, sector or section a row
 * belongs to) and by date. The natural key still decides identity; the layout decides the keys rows are queried by.
 */
export interface RowLayout {
  /** The row field naming the series, absent for date-only datasets (calendar, TOPIX). */
  readonly seriesField?: string;
  /** The row field holding the row's date. */
  readonly dateField: string;
}

const layouts: Readonly<Record<string, RowLayout>> = {
  'jquants.equities.master': { seriesField: 'code', dateField: 'date' },
  'jquants.equities.bars.daily': { seriesField: 'code', dateField: 'date' },
  'jquants.markets.calendar': { dateField: 'date' },
  'jquants.fins.summary': { seriesField: 'code', dateField: 'discDate' },
  'jquants.indices.bars.daily': { seriesField: 'code', dateField: 'date' },
  'jquants.indices.topix.daily': { dateField: 'date' },
  'jquants.equities.investor-types': { seriesField: 'section', dateField: 'publishedDate' },
  'jquants.markets.margin-interest': { seriesField: 'code', dateField: 'date' },
  'jquants.markets.short-ratio': { seriesField: 'sector33Code', dateField: 'date' },
  'jquants.fins.dividend': { seriesField: 'code', dateField: 'publishedDate' },
  'jquants.markets.breakdown': { seriesField: 'code', dateField: 'date' },
  'yahoo.chart.daily': { seriesField: 'symbol', dateField: 'date' },
};

/** The layout of a dataset's rows. */
export function rowLayoutOf(dataset: Pick<DatasetDefinition, 'id'>): RowLayout {
  const layout = layouts[dataset.id];
  if (layout === undefined) throw new Error(`dataset ${dataset.id} has no row layout`);
  return layout;
}

/** The keys one stored row is written under. */
export interface RowKeys {
  /** `<dataset>#<series>`: a series' rows, ordered by `sk`. */
  readonly pk: string;
  /** `<date>#<rest of the natural key>`. */
  readonly sk: string;
  /** `<dataset>#<date>`: a date's rows (index `rowsByDate`), ordered by `dateSk`. */
  readonly datePk: string;
  /** `<series>#<rest of the natural key>`. */
  readonly dateSk: string;
}

/** The keys of `row`: the natural key spread over a series part, a date part and the rest. */
export function rowKeysOf(
  dataset: Pick<DatasetDefinition, 'id' | 'naturalKey'>,
  row: Readonly<Record<string, unknown>>,
): RowKeys {
  const { seriesField, dateField } = rowLayoutOf(dataset);
  const series = seriesField === undefined ? '-' : String(row[seriesField] ?? '-');
  const date = String(row[dateField] ?? '-');
  const rest = dataset.naturalKey
    .filter((field) => field !== seriesField && field !== dateField)
    .map((field) => String(row[field] ?? '-'));
  const restKey = rest.length === 0 ? '' : `#${rest.join('#')}`;
  return {
    pk: `${dataset.id}#${series}`,
    sk: `${date}${restKey}`,
    datePk: `${dataset.id}#${date}`,
    dateSk: `${series}${restKey}`,
  };
}

/** The identity of a row by its natural key, for de-duplicating a fetch. */
export function naturalKeyOf(
  dataset: Pick<DatasetDefinition, 'naturalKey'>,
  row: Readonly<Record<string, unknown>>,
): string {
  return JSON.stringify(dataset.naturalKey.map((field) => row[field] ?? null));
}
