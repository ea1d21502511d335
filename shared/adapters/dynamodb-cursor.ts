import type { DynamoDBDocumentClient, QueryCommand, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '#shared/domain/errors.ts';

/**
 * The start key a query accepts back as its cursor. DynamoDB answers a start key of the wrong shape with a
 * ValidationException, and one of another partition (another run, another index) may page through data the
 * caller did not ask for, so a cursor is checked against the query before it is sent.
 */
export interface CursorKeyShape {
  /** Every attribute of the key: the table's keys, plus the index's when the query reads an index. */
  readonly attributes: readonly string[];
  /** Attributes whose value must be exactly this: the partition the query reads. */
  readonly equals?: Readonly<Record<string, string>>;
  /** Attributes whose value must start with this: the range of sort keys the query reads (`JOB#`). */
  readonly startsWith?: Readonly<Record<string, string>>;
  /** Attributes a cursor of this listing may carry besides the key (a position inside an item): digits only. */
  readonly optional?: readonly string[];
}

const notOurs = (): ValidationError => ValidationError.of('cursor', 'is not a cursor returned by this API');
const notForThisQuery = (): ValidationError =>
  ValidationError.of('cursor', 'belongs to another listing; pass the cursor of the page before, with the same filters');

/** Encodes a DynamoDB `LastEvaluatedKey` as an opaque URL-safe cursor. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key === undefined ? undefined : Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * Decodes a cursor from `encodeCursor` into the start key of the query it was made for. A cursor that is not
 * ours, or is the key of another query, is a ValidationError on `cursor` (a 400), never a start key for DynamoDB.
 * Every key attribute of our tables is a string. Listings that take a caller's cursor always pass `expected`;
 * without it only the form is checked.
 */
export function decodeCursor(
  cursor: string | undefined,
  expected?: CursorKeyShape,
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw notOurs();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw notOurs();
  const entries = Object.entries(key);
  if (entries.length === 0) throw notOurs();
  const startKey: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (typeof value !== 'string' || value === '') throw notOurs();
    startKey[name] = value;
  }
  if (expected === undefined) return startKey;
  const optional = new Set(expected.optional ?? []);
  for (const name of optional) if (startKey[name] !== undefined && !/^\d+$/.test(startKey[name])) throw notOurs();
  const names = entries
    .map(([name]) => name)
    .filter((name) => !optional.has(name))
    .sort();
  if (names.join('\n') !== [...expected.attributes].sort().join('\n')) throw notForThisQuery();
  for (const [name, value] of Object.entries(expected.equals ?? {})) {
    if (startKey[name] !== value) throw notForThisQuery();
  }
  for (const [name, prefix] of Object.entries(expected.startsWith ?? {})) {
    if (!startKey[name]?.startsWith(prefix)) throw notForThisQuery();
  }
  return startKey;
}

/**
 * Sends a query, turning DynamoDB's refusal of its start key into a ValidationError on `cursor`: a cursor of the
 * right shape may still lie outside the range the query reads, which only DynamoDB knows.
 */
export async function queryPage(client: DynamoDBDocumentClient, command: QueryCommand): Promise<QueryCommandOutput> {
  try {
    return await client.send(command);
  } catch (error) {
    if (command.input.ExclusiveStartKey !== undefined && isStartKeyRejection(error)) {
      throw new ValidationError([{ path: 'cursor', message: 'does not fit this listing; start again without it' }], {
        cause: error,
      });
    }
    throw error;
  }
}

/** DynamoDB's ValidationExceptions about `ExclusiveStartKey` all name the "starting key" or "Exclusive Start Key". */
function isStartKeyRejection(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /start(ing)? key/i.test(error.message);
}
