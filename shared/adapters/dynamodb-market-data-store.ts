import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { chunk, forEachConcurrently } from '#shared/adapters/batch-concurrency.ts';
import { decodeCursor, encodeCursor } from '#shared/adapters/dynamodb-cursor.ts';
import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { naturalKeyOf, rowKeysOf, rowLayoutOf } from '#shared/datasets/row-layout.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { MarketDataStore, RowQuery } from '#shared/ports/market-data-store.ts';
import type { Page } from '#shared/ports/run-ledger.ts';

/** DynamoDB takes at most 25 writes per BatchWriteItem. */
const writesPerBatch = 25;

/** Options of the market-data store. */
export interface DynamoDbMarketDataStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** BatchWriteItem calls in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Sends of one batch's unprocessed items before giving up. @default 8 */
  readonly maxBatchAttempts?: number;
  /** Base of the exponential backoff between them. @default 50 */
  readonly retryBaseDelayMs?: number;
}

/** A write that DynamoDB kept refusing (throttled) after every retry; the job is retried as a whole. */
export class UnprocessedWritesError extends Error {
  override readonly name = 'UnprocessedWritesError';
}

/**
 * MarketDataStore on the MarketData table: each row under `rowKeysOf` (series partition, date-ordered), indexed by
 * date (`rowsByDate`), plus one marker item per stored date (`<dataset>#@dates`) for "latest date" lookups.
 */
export class DynamoDbMarketDataStore implements MarketDataStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #concurrency: number;
  readonly #maxBatchAttempts: number;
  readonly #retryBaseDelayMs: number;

  constructor(options: DynamoDbMarketDataStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#concurrency = options.concurrency ?? 4;
    this.#maxBatchAttempts = options.maxBatchAttempts ?? 8;
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? 50;
  }

  async upsertRows(dataset: DatasetDefinition, rows: readonly Record<string, unknown>[]): Promise<number> {
    // BatchWriteItem refuses two writes to one key in a request, and a paginated answer may repeat a row.
    const unique = new Map(rows.map((row) => [naturalKeyOf(dataset, row), row]));
    const items: Record<string, unknown>[] = [...unique.values()].map((row) => ({
      ...row,
      ...rowKeysOf(dataset, row),
    }));
    const { dateField } = rowLayoutOf(dataset);
    const dates = new Set(items.map((item) => String(item[dateField] ?? '-')));
    const markers = [...dates].map((date) => ({ pk: `${dataset.id}#@dates`, sk: date }));
    await forEachConcurrently(chunk([...items, ...markers], writesPerBatch), this.#concurrency, (batch) =>
      this.#writeBatch(batch),
    );
    return items.length;
  }

  async queryRows(dataset: DatasetDefinition, query: RowQuery): Promise<Page<Record<string, unknown>>> {
    const limit = query.limit ?? 100;
    const base = { TableName: this.#tableName, Limit: limit, ExclusiveStartKey: decodeCursor(query.cursor) };
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
    const { Items = [], LastEvaluatedKey } = await this.#client.send(command);
    const rows = Items.map(({ pk: _pk, sk: _sk, datePk: _datePk, dateSk: _dateSk, ...row }) => row);
    const cursor = encodeCursor(LastEvaluatedKey);
    return cursor === undefined ? { items: rows } : { items: rows, cursor };
  }

  async latestDate(dataset: DatasetDefinition): Promise<string | undefined> {
    const { Items = [] } = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `${dataset.id}#@dates` },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const latest = Items[0]?.sk;
    return typeof latest === 'string' ? latest : undefined;
  }

  /** Writes one batch, resending what DynamoDB leaves unprocessed with exponential backoff and jitter. */
  async #writeBatch(items: readonly Record<string, unknown>[]): Promise<void> {
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
      const delayMs = this.#retryBaseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
