import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import type { Page } from '#shared/ports/run-ledger.ts';

/** Which stored rows to read: one series (optionally a date range), or one date across series. */
export interface RowQuery {
  /** The series: issue or index code, symbol, sector or section (see `rowLayoutOf`). */
  readonly series?: string;
  readonly date?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

/**
 * MarketDataStore: normalised rows of every dataset.
 *
 * Guarantees:
 * - `upsertRows` writes each row under its natural key: writing the same row again replaces it, never adds one.
 *   Rows sharing a natural key within one call are written once (the last wins). It returns the rows written.
 * - `queryRows` pages in key order; the cursor is opaque.
 * - `latestDate` is the newest date any row of the dataset was stored for.
 */
export interface MarketDataStore {
  upsertRows(dataset: DatasetDefinition, rows: readonly Record<string, unknown>[]): Promise<number>;
  queryRows(dataset: DatasetDefinition, query: RowQuery): Promise<Page<Record<string, unknown>>>;
  latestDate(dataset: DatasetDefinition): Promise<string | undefined>;
}
