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

/** What an upsert did with the rows it was given. */
export interface UpsertResult {
  /** Rows written (created or replaced). */
  readonly written: number;
  /** The rows not written because the stored row has values and the new one has none (see `upsertRows`). */
  readonly kept: readonly Record<string, unknown>[];
}

/**
 * MarketDataStore: normalised rows of every dataset.
 *
 * Guarantees:
 * - `upsertRows` writes each row under its natural key: writing the same row again replaces it, never adds one.
 *   Rows sharing a natural key within one call are written once (the last wins). Stored data never gets worse: a
 *   row whose value fields (dataset `valueFields`) are all null does not replace a stored row that has a value in one.
 * - `queryRows` pages in key order; the cursor is opaque, and one that is not this store's is a `ValidationError`.
 * - `latestDate` is the newest date any row of the dataset was stored for.
 * - `markComplete` records that every row of a dataset's date is stored (a whole-market answer, every page of
 *   it); `latestCompleteDate` is the newest such date, so a reader never takes a half-stored snapshot for a whole one.
 */
export interface MarketDataStore {
  upsertRows(dataset: DatasetDefinition, rows: readonly Record<string, unknown>[]): Promise<UpsertResult>;
  queryRows(dataset: DatasetDefinition, query: RowQuery): Promise<Page<Record<string, unknown>>>;
  latestDate(dataset: DatasetDefinition): Promise<string | undefined>;
  markComplete(dataset: DatasetDefinition, date: string): Promise<void>;
  latestCompleteDate(dataset: DatasetDefinition): Promise<string | undefined>;
}
