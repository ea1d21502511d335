import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDbMarketDataStore, UnprocessedWritesError } from '#shared/adapters/dynamodb-market-data-store.ts';
import { requireDataset } from '#shared/datasets/registry.ts';

const documentMock = mockClient(DynamoDBDocumentClient);
const bars = requireDataset('jquants.equities.bars.daily');
const rows = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ code: `${1000 + index}0`, date: '2026-11-27', close: index }));
const store = (maxBatchAttempts = 8) =>
  new DynamoDbMarketDataStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    tableName: 'MarketData',
    retryBaseDelayMs: 1,
    maxBatchAttempts,
  });

afterEach(() => {
  documentMock.reset();
});

describe('DynamoDbMarketDataStore writes', () => {
  it('splits writes into BatchWriteItem calls of at most 25', async () => {
    documentMock.on(BatchWriteCommand).resolves({});
    expect(await store().upsertRows(bars, rows(60))).toBe(60);
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
