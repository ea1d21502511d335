import { decodeCursor, encodeCursor } from '#shared/adapters/dynamodb-cursor.ts';
import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { naturalKeyOf, rowKeysOf, rowLayoutOf } from '#shared/datasets/row-layout.ts';
import { isEmptyOfValues } from '#shared/datasets/row-values.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { MarketDataStore, RowQuery, UpsertResult } from '#shared/ports/market-data-store.ts';
import type { Page } from '#shared/ports/run-ledger.ts';

/** MarketDataStore in memory, keyed exactly like the DynamoDB adapter. */
export class InMemoryMarketDataStore implements MarketDataStore {
  /** `pk` → `sk` → row. */
  readonly #rows = new Map<string, Map<string, Record<string, unknown>>>();
  readonly #dates = new Map<string, Set<string>>();
  readonly #completeDates = new Map<string, Set<string>>();
  /** How many rows `upsertRows` wrote in all, kept rows aside (a test's count of writes). */
  writes = 0;

  async upsertRows(dataset: DatasetDefinition, rows: readonly Record<string, unknown>[]): Promise<UpsertResult> {
    // As one BatchWriteItem call: the last row of a natural key wins before the stored row is compared.
    const unique = new Map(rows.map((row) => [naturalKeyOf(dataset, row), row]));
    const kept: Record<string, unknown>[] = [];
    for (const row of unique.values()) {
      const { pk, sk } = rowKeysOf(dataset, row);
      const series = this.#rows.get(pk) ?? new Map<string, Record<string, unknown>>();
      const stored = series.get(sk);
      if (isEmptyOfValues(dataset, row) && stored !== undefined && !isEmptyOfValues(dataset, stored)) {
        kept.push(row);
        continue;
      }
      series.set(sk, structuredClone(row));
      this.#rows.set(pk, series);
      addTo(this.#dates, dataset.id, String(row[rowLayoutOf(dataset).dateField]));
    }
    const written = unique.size - kept.length;
    this.writes += written;
    return { written, kept };
  }

  async queryRows(dataset: DatasetDefinition, query: RowQuery): Promise<Page<Record<string, unknown>>> {
    let matches: { key: string; row: Record<string, unknown> }[];
    if (query.series !== undefined) {
      const series = this.#rows.get(`${dataset.id}#${query.series}`) ?? new Map<string, Record<string, unknown>>();
      matches = [...series.entries()]
        .filter(([sk]) => (query.date === undefined ? true : sk.startsWith(query.date)))
        .filter(([sk]) => query.from === undefined || sk >= query.from)
        .filter(([sk]) => query.to === undefined || sk <= `${query.to}#\uffff`)
        .map(([key, row]) => ({ key, row }));
    } else if (query.date !== undefined) {
      matches = [...this.#rows.entries()]
        .filter(([pk]) => pk.startsWith(`${dataset.id}#`))
        .flatMap(([, series]) => [...series.values()])
        .filter((row) => rowKeysOf(dataset, row).datePk === `${dataset.id}#${query.date}`)
        .map((row) => ({ key: rowKeysOf(dataset, row).dateSk, row }));
    } else {
      throw ValidationError.of('code', 'give a code (or symbol) or a date to read rows by');
    }
    matches.sort((a, b) => a.key.localeCompare(b.key));
    const after = query.cursor === undefined ? undefined : String(decodeCursor(query.cursor)?.key);
    const start = after === undefined ? 0 : matches.findIndex((match) => match.key > after);
    const remaining = start < 0 ? [] : matches.slice(start);
    const limit = query.limit ?? 100;
    const page = remaining.slice(0, limit);
    const last = page.at(-1);
    const items = page.map((match) => structuredClone(match.row));
    const cursor = remaining.length > limit && last !== undefined ? encodeCursor({ key: last.key }) : undefined;
    return cursor === undefined ? { items } : { items, cursor };
  }

  async latestDate(dataset: DatasetDefinition): Promise<string | undefined> {
    return [...(this.#dates.get(dataset.id) ?? [])].sort().at(-1);
  }

  async markComplete(dataset: DatasetDefinition, date: string): Promise<void> {
    addTo(this.#completeDates, dataset.id, date);
  }

  async latestCompleteDate(dataset: DatasetDefinition): Promise<string | undefined> {
    return [...(this.#completeDates.get(dataset.id) ?? [])].sort().at(-1);
  }
}

function addTo(sets: Map<string, Set<string>>, key: string, value: string): void {
  const set = sets.get(key) ?? new Set<string>();
  set.add(value);
  sets.set(key, set);
}
