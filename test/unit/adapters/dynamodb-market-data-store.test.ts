import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DynamoDbMarketDataStore,
  UnprocessedReadsError,
  UnprocessedWritesError,
} from '#shared/adapters/dynamodb-market-data-store.ts';
import { requireDataset } from '#shared/datasets/registry.ts';

const documentMock = mockClient(DynamoDBDocumentClient);
const bars = requireDataset('jquants.equities.bars.daily');
const master = requireDataset('jquants.equities.master');
const rows = (count: number, close: (index: number) => number | null = (index) => index) =>
  Array.from({ length: count }, (_, index) => ({ code: `${1000 + index}0`, date: '2026-11-27', close: close(index) }));
const emptyRows = (count: number) => rows(count, () => null);
const keyOf = (code: string) => ({ pk: `jquants.equities.bars.daily#${code}`, sk: '2026-11-27' });
const store = (maxBatchAttempts = 8) =>
  new DynamoDbMarketDataStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    tableName: 'MarketData',
    retryBaseDelayMs: 1,
    maxBatchAttempts,
  });

interface BatchGetInput {
  RequestItems: Record<string, { Keys: Record<string, unknown>[] }>;
}

/** A BatchGetItem answer holding, for each key asked, the stored row `stored` gives (none when undefined). */
const answerWith =
  (stored: (key: Record<string, unknown>) => Record<string, unknown> | undefined) => (input: BatchGetInput) => ({
    Responses: {
      MarketData: (input.RequestItems.MarketData?.Keys ?? []).flatMap((key) => {
        const row = stored(key);
        return row === undefined ? [] : [{ ...key, ...row }];
      }),
    },
  });

const writtenItems = (): Record<string, unknown>[] =>
  documentMock
    .commandCalls(BatchWriteCommand)
    .flatMap((call) => call.args[0].input.RequestItems?.MarketData ?? [])
    .map((request) => request.PutRequest?.Item ?? {});
const readKeys = (): Record<string, unknown>[][] =>
  documentMock.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.MarketData?.Keys ?? []);

afterEach(() => {
  documentMock.reset();
});

describe('DynamoDbMarketDataStore writes', () => {
  it('splits writes into BatchWriteItem calls of at most 25', async () => {
    documentMock.on(BatchWriteCommand).resolves({});
    expect(await store().upsertRows(bars, rows(60))).toEqual({ written: 60, kept: [] });
    const sizes = documentMock
      .commandCalls(BatchWriteCommand)
      .map((call) => call.args[0].input.RequestItems?.MarketData?.length ?? 0);
    // 60 rows and one date marker
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(61);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(25);
  });

  it('resends unprocessed items until DynamoDB takes them', async () => {
    let first = true;
    documentMock.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => {
      const requests = input.RequestItems.MarketData ?? [];
      if (first && requests.length > 2) {
        first = false;
        return { UnprocessedItems: { MarketData: requests.slice(0, 2) } };
      }
      return {};
    });
    await store().upsertRows(bars, rows(10));
    const calls = documentMock.commandCalls(BatchWriteCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.RequestItems?.MarketData).toHaveLength(2);
  });

  it('gives up with an error when items stay unprocessed', async () => {
    documentMock.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({
      UnprocessedItems: input.RequestItems,
    }));
    await expect(store(3).upsertRows(bars, rows(3))).rejects.toBeInstanceOf(UnprocessedWritesError);
    expect(documentMock.commandCalls(BatchWriteCommand)).toHaveLength(3);
  });
});

describe('DynamoDbMarketDataStore reads before writing rows without values', () => {
  it('reads the stored rows of the rows without values only, consistently and projecting the value fields', async () => {
    documentMock.on(BatchGetCommand).resolves({ Responses: { MarketData: [] } });
    documentMock.on(BatchWriteCommand).resolves({});
    const mixed = rows(4, (index) => (index % 2 === 0 ? index : null));
    expect(await store().upsertRows(bars, mixed)).toEqual({ written: 4, kept: [] });
    expect(readKeys()).toEqual([[keyOf('10010'), keyOf('10030')]]);
    const request = documentMock.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.MarketData;
    expect(request?.ConsistentRead).toBe(true);
    const projected = (request?.ProjectionExpression ?? '')
      .split(', ')
      .map((name) => request?.ExpressionAttributeNames?.[name]);
    expect(projected).toEqual(['pk', 'sk', ...bars.valueFields]);
  });

  it('sends no read when every row has a value or the dataset has no value fields', async () => {
    documentMock.on(BatchWriteCommand).resolves({});
    await store().upsertRows(bars, rows(30));
    await store().upsertRows(master, [{ date: '2026-11-27', code: '72030', marginCode: null }]);
    expect(documentMock.commandCalls(BatchGetCommand)).toHaveLength(0);
    expect(writtenItems().filter((item) => item.code !== undefined)).toHaveLength(31);
  });

  it('drops the rows whose stored row has a value, counts them as kept and writes the rest', async () => {
    const stored: Record<string, Record<string, unknown>> = {
      [keyOf('10000').pk]: { close: 2047 },
      [keyOf('10010').pk]: { adjustedVolume: 300 },
      [keyOf('10020').pk]: { close: null, volume: null },
    };
    documentMock.on(BatchGetCommand).callsFake(answerWith((key) => stored[String(key.pk)]));
    documentMock.on(BatchWriteCommand).resolves({});
    const empty = emptyRows(4);
    expect(await store().upsertRows(bars, empty)).toEqual({ written: 2, kept: empty.slice(0, 2) });
    expect(writtenItems().map((item) => item.code ?? item.pk)).toEqual([
      '10020',
      '10030',
      'jquants.equities.bars.daily#@dates',
    ]);
  });

  it('reads more than 100 stored rows in BatchGetItem calls of at most 100 keys', async () => {
    documentMock.on(BatchGetCommand).callsFake(answerWith(() => ({ close: 1 })));
    const empty = emptyRows(250);
    expect(await store().upsertRows(bars, empty)).toEqual({ written: 0, kept: empty });
    const sizes = readKeys().map((keys) => keys.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(
      new Set(
        readKeys()
          .flat()
          .map((key) => key.pk),
      ).size,
    ).toBe(250);
    expect(documentMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('resends unprocessed keys until DynamoDB answers them', async () => {
    let first = true;
    documentMock.on(BatchGetCommand).callsFake((input: BatchGetInput) => {
      const keys = input.RequestItems.MarketData?.Keys ?? [];
      const answer = answerWith(() => ({ close: 1 }));
      if (!first) return answer(input);
      first = false;
      return {
        ...answer({ RequestItems: { MarketData: { Keys: keys.slice(0, 3) } } }),
        UnprocessedKeys: { MarketData: { Keys: keys.slice(3) } },
      };
    });
    const empty = emptyRows(5);
    expect(await store().upsertRows(bars, empty)).toEqual({ written: 0, kept: empty });
    expect(readKeys()).toEqual([
      ['10000', '10010', '10020', '10030', '10040'].map(keyOf),
      ['10030', '10040'].map(keyOf),
    ]);
  });

  it('gives up with an error and writes nothing when keys stay unprocessed', async () => {
    documentMock.on(BatchGetCommand).callsFake((input: BatchGetInput) => ({ UnprocessedKeys: input.RequestItems }));
    await expect(store(3).upsertRows(bars, emptyRows(3))).rejects.toBeInstanceOf(UnprocessedReadsError);
    expect(documentMock.commandCalls(BatchGetCommand)).toHaveLength(3);
    expect(documentMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });
});
