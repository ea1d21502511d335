import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { type CursorKeyShape, decodeCursor, encodeCursor, queryPage } from '#shared/adapters/dynamodb-cursor.ts';
import { chunk, forEachConcurrently } from '#shared/concurrency.ts';
import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { naturalKeyOf, rowKeysOf, rowLayoutOf } from '#shared/datasets/row-layout.ts';
import { isEmptyOfValues } from '#shared/datasets/row-values.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { MarketDataStore, RowQuery, UpsertResult } from '#shared/ports/market-data-store.ts';
import type { Page } from '#shared/ports/run-ledger.ts';

/** DynamoDB takes at most 25 writes per BatchWriteItem. */
const writesPerBatch = 25;
/** DynamoDB takes at most 100 keys per BatchGetItem. */
const readsPerBatch = 100;

type Row = Record<string, unknown>;

/** Options of the market-data store. */
export interface DynamoDbMarketDataStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** BatchWriteItem (and BatchGetItem) calls in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Sends of one batch's unprocessed items (or keys) before giving up. @default 8 */
  readonly maxBatchAttempts?: number;
  /** Base of the exponential backoff between them. @default 50 */
  readonly retryBaseDelayMs?: number;
}

/** A write that DynamoDB kept refusing (throttled) after every retry; the job is retried as a whole. */
export class UnprocessedWritesError extends Error {
  override readonly name = 'UnprocessedWritesError';
}

/** A read that DynamoDB kept refusing (throttled) after every retry; nothing was written, the job is retried. */
export class UnprocessedReadsError extends Error {
  override readonly name = 'UnprocessedReadsError';
}

/**
 * MarketDataStore on the MarketData table: each row under `rowKeysOf` (series partition, date-ordered), indexed by
 * date (`rowsByDate`), plus one marker item per stored date (`<dataset>#@dates`) for "latest date" lookups and one
 * per complete date (`<dataset>#@complete`) for "latest complete snapshot" lookups.
 */
export class DynamoDbMarketDataStore implements MarketDataStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #concurrency: number;
  readonly #maxBatchAttempts: number;
  readonly #retryBaseDelayMs: number;
  /** Dates whose marker this store has written (`<dataset>#<date>`): it is never rewritten by this instance. */
  readonly #markedDates = new Set<string>();

  constructor(options: DynamoDbMarketDataStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#concurrency = options.concurrency ?? 4;
    this.#maxBatchAttempts = options.maxBatchAttempts ?? 8;
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? 50;
  }

  async upsertRows(dataset: DatasetDefinition, rows: readonly Row[]): Promise<UpsertResult> {
    // BatchWriteItem refuses two writes to one key in a request, and a paginated answer may repeat a row.
    const unique = [...new Map(rows.map((row) => [naturalKeyOf(dataset, row), row])).values()];
    const kept = await this.#rowsToKeep(
      dataset,
      unique.filter((row) => isEmptyOfValues(dataset, row)),
    );
    const items: Row[] = unique.filter((row) => !kept.has(row)).map((row) => ({ ...row, ...rowKeysOf(dataset, row) }));
    const { dateField } = rowLayoutOf(dataset);
    const dates = new Set(items.map((item) => String(item[dateField] ?? '-')));
    // A date's marker once per store: the pages of one date after the first add no marker write.
    const newDates = [...dates].filter((date) => !this.#markedDates.has(`${dataset.id}#${date}`));
    const markers = newDates.map((date) => ({ pk: datesPk(dataset), sk: date }));
    await forEachConcurrently(chunk([...items, ...markers], writesPerBatch), this.#concurrency, (batch) =>
      this.#writeBatch(batch),
    );
    for (const date of newDates) this.#markedDates.add(`${dataset.id}#${date}`);
    return { written: items.length, kept: unique.filter((row) => kept.has(row)) };
  }

  async queryRows(dataset: DatasetDefinition, query: RowQuery): Promise<Page<Record<string, unknown>>> {
    const limit = query.limit ?? 100;
    const startKey = decodeCursor(query.cursor, cursorShapeOf(dataset, query));
    const base = { TableName: this.#tableName, Limit: limit, ExclusiveStartKey: startKey };
    let command: QueryCommand;
    if (query.series !== undefined) {
      const pk = `${dataset.id}#${query.series}`;
      if (query.date !== undefined) {
        command = new QueryCommand({
          ...base,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :date)',
          ExpressionAttributeValues: { ':pk': pk, ':date': query.date },
        });
      } else if (query.from !== undefined || query.to !== undefined) {
        command = new QueryCommand({
          ...base,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': pk,
            ':from': query.from ?? '0000',
            ':to': `${query.to ?? '9999'}#\uffff`,
          },
        });
      } else {
        command = new QueryCommand({
          ...base,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        });
      }
    } else if (query.date !== undefined) {
      command = new QueryCommand({
        ...base,
        IndexName: 'rowsByDate',
        KeyConditionExpression: 'datePk = :datePk',
        ExpressionAttributeValues: { ':datePk': `${dataset.id}#${query.date}` },
      });
    } else {
      throw ValidationError.of('code', 'give a code (or symbol) or a date to read rows by');
    }
    const { Items = [], LastEvaluatedKey } = await queryPage(this.#client, command);
    const rows = Items.map(({ pk: _pk, sk: _sk, datePk: _datePk, dateSk: _dateSk, ...row }) => row);
    const cursor = encodeCursor(LastEvaluatedKey);
    return cursor === undefined ? { items: rows } : { items: rows, cursor };
  }

  async latestDate(dataset: DatasetDefinition): Promise<string | undefined> {
    return this.#newestMarker(datesPk(dataset));
  }

  async markComplete(dataset: DatasetDefinition, date: string): Promise<void> {
    await this.#client.send(
      new PutCommand({ TableName: this.#tableName, Item: { pk: completePk(dataset), sk: date } }),
    );
  }

  async latestCompleteDate(dataset: DatasetDefinition): Promise<string | undefined> {
    return this.#newestMarker(completePk(dataset));
  }

  /** The greatest `sk` under a marker partition: marker dates sort as they read (`YYYY-MM-DD`). */
  async #newestMarker(pk: string): Promise<string | undefined> {
    const { Items = [] } = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const latest = Items[0]?.sk;
    return typeof latest === 'string' ? latest : undefined;
  }

  /**
   * The rows among `emptyRows` (rows without values) whose stored row has a value: those are not written. One
   * BatchGetItem per 100 keys, projecting the value fields. Read and write are not atomic: a row with values that
   * another writer stores in between can still be replaced, until the next fetch with values; conditional writes
   * would close that gap at the price of one request per row.
   */
  async #rowsToKeep(dataset: DatasetDefinition, emptyRows: readonly Row[]): Promise<Set<Row>> {
    const rowsByKey = new Map<string, { key: Row; row: Row }>();
    for (const row of emptyRows) {
      const { pk, sk } = rowKeysOf(dataset, row);
      rowsByKey.set(keyOf(pk, sk), { key: { pk, sk }, row });
    }
    // Placeholders, because field names such as `open` or `date` can be DynamoDB reserved words.
    const names = Object.fromEntries(['pk', 'sk', ...dataset.valueFields].map((field, index) => [`#f${index}`, field]));
    const projection = { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names };
    const kept = new Set<Row>();
    const keys = [...rowsByKey.values()].map((entry) => entry.key);
    await forEachConcurrently(chunk(keys, readsPerBatch), this.#concurrency, async (batch) => {
      for (const stored of await this.#readBatch(batch, projection)) {
        const entry = rowsByKey.get(keyOf(String(stored.pk), String(stored.sk)));
        if (entry !== undefined && !isEmptyOfValues(dataset, stored)) kept.add(entry.row);
      }
    });
    return kept;
  }

  /** Reads one batch of keys, resending what DynamoDB leaves unprocessed with exponential backoff and jitter. */
  async #readBatch(
    batch: readonly Row[],
    projection: { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> },
  ): Promise<Row[]> {
    const items: Row[] = [];
    let keys: Row[] = [...batch];
    for (let attempt = 1; keys.length > 0; attempt++) {
      const { Responses, UnprocessedKeys } = await this.#client.send(
        // Consistent, so a row stored a moment ago (the previous page of the same answer) counts.
        new BatchGetCommand({
          RequestItems: { [this.#tableName]: { Keys: keys, ConsistentRead: true, ...projection } },
        }),
      );
      items.push(...(Responses?.[this.#tableName] ?? []));
      keys = UnprocessedKeys?.[this.#tableName]?.Keys ?? [];
      if (keys.length === 0) break;
      if (attempt >= this.#maxBatchAttempts) {
        throw new UnprocessedReadsError(`${keys.length} stored rows stayed unread after ${attempt} attempts`);
      }
      await this.#backOff(attempt);
    }
    return items;
  }

  /** Writes one batch, resending what DynamoDB leaves unprocessed with exponential backoff and jitter. */
  async #writeBatch(items: readonly Row[]): Promise<void> {
    let requests = items.map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      const { UnprocessedItems } = await this.#client.send(
        new BatchWriteCommand({ RequestItems: { [this.#tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[this.#tableName] ?? []).flatMap((request) =>
        request.PutRequest?.Item === undefined ? [] : [{ PutRequest: { Item: request.PutRequest.Item } }],
      );
      if (requests.length === 0) return;
      if (attempt >= this.#maxBatchAttempts) {
        throw new UnprocessedWritesError(`${requests.length} rows stayed unprocessed after ${attempt} attempts`);
      }
      await this.#backOff(attempt);
    }
  }

  /** Waits before the next send of a batch: exponential, with jitter so throttled batches do not retry in step. */
  async #backOff(attempt: number): Promise<void> {
    const delayMs = this.#retryBaseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random());
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

function datesPk(dataset: DatasetDefinition): string {
  return `${dataset.id}#@dates`;
}

function completePk(dataset: DatasetDefinition): string {
  return `${dataset.id}#@complete`;
}

function keyOf(pk: string, sk: string): string {
  return `${pk}\u0000${sk}`;
}

/** The start key a row query accepts: its series partition (table keys), or its date partition (and the index's). */
function cursorShapeOf(dataset: DatasetDefinition, query: RowQuery): CursorKeyShape {
  if (query.series === undefined) {
    return { attributes: ['pk', 'sk', 'datePk', 'dateSk'], equals: { datePk: `${dataset.id}#${query.date}` } };
  }
  const series = { attributes: ['pk', 'sk'], equals: { pk: `${dataset.id}#${query.series}` } };
  return query.date === undefined ? series : { ...series, startsWith: { sk: query.date } };
}
