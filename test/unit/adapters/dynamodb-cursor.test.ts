import { DynamoDBClient, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { type CursorKeyShape, decodeCursor, encodeCursor, queryPage } from '#shared/adapters/dynamodb-cursor.ts';
import { ValidationError } from '#shared/domain/errors.ts';

const jobsOfRun1: CursorKeyShape = { attributes: ['pk', 'sk'], equals: { pk: 'RUN#r1' }, startsWith: { sk: 'JOB#' } };
const cursorOf = (key: unknown): string => Buffer.from(JSON.stringify(key)).toString('base64url');

function refusal(action: () => unknown): ValidationError {
  try {
    action();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('decodeCursor', () => {
  it('gives back the start key that encodeCursor encoded for the same query', () => {
    const key = { pk: 'RUN#r1', sk: 'JOB#j9' };
    expect(decodeCursor(encodeCursor(key), jobsOfRun1)).toEqual(key);
    expect(decodeCursor(undefined, jobsOfRun1)).toBeUndefined();
  });

  it('refuses an empty object, JSON that is not an object and text that is not JSON', () => {
    for (const cursor of ['e30', cursorOf([1]), cursorOf('pk'), cursorOf(null), 'not a cursor!']) {
      expect(refusal(() => decodeCursor(cursor, jobsOfRun1)).issues).toEqual([
        { path: 'cursor', message: 'is not a cursor returned by this API' },
      ]);
    }
  });

  it('refuses key values that are not non-empty strings', () => {
    for (const key of [
      { pk: 'RUN#r1', sk: 7 },
      { pk: 'RUN#r1', sk: { S: 'JOB#j1' } },
      { pk: 'RUN#r1', sk: '' },
    ]) {
      expect(refusal(() => decodeCursor(cursorOf(key), jobsOfRun1)).issues[0]?.path).toBe('cursor');
    }
  });

  it('refuses the key of another partition, another index or another sort-key range', () => {
    for (const key of [
      { pk: 'RUN#r2', sk: 'JOB#j1' },
      { pk: 'RUN#r1', sk: 'RUN' },
      { pk: 'RUN#r1', sk: 'JOB#j1', groupId: 'g', runSortKey: '2026#r1' },
      { pk: 'RUN#r1' },
    ]) {
      expect(refusal(() => decodeCursor(cursorOf(key), jobsOfRun1)).message).toMatch(/^cursor: belongs to another/);
    }
  });
});

describe('queryPage', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'ap-northeast-1' }));
  afterEach(() => dynamo.reset());

  const startKeyRefused = (message: string): DynamoDBServiceException =>
    new DynamoDBServiceException({ name: 'ValidationException', $fault: 'client', $metadata: {}, message });
  const query = (startKey?: Record<string, string>): QueryCommand =>
    new QueryCommand({ TableName: 't', KeyConditionExpression: 'pk = :pk', ExclusiveStartKey: startKey });

  it('answers DynamoDB refusing the start key with a ValidationError on cursor', async () => {
    dynamo.on(QueryCommand).rejects(startKeyRefused('The provided starting key is outside query boundaries'));
    const thrown = await queryPage(client, query({ pk: 'a', sk: 'b' })).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues[0]?.path).toBe('cursor');
    expect((thrown as ValidationError).cause).toBeInstanceOf(DynamoDBServiceException);
  });

  it('rethrows other failures, and start-key refusals of a query that had no cursor, unchanged', async () => {
    const other = startKeyRefused('One or more parameter values were invalid');
    dynamo.on(QueryCommand).rejects(other);
    await expect(queryPage(client, query({ pk: 'a', sk: 'b' }))).rejects.toBe(other);
    const noCursor = startKeyRefused('The provided starting key is invalid');
    dynamo.on(QueryCommand).rejects(noCursor);
    await expect(queryPage(client, query())).rejects.toBe(noCursor);
  });
});
