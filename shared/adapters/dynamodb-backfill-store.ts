import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, queryPage } from '#shared/adapters/dynamodb-cursor.ts';
import { type Backfill, type BackfillEvent, BackfillSchema, decideBackfill } from '#shared/domain/backfill.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { BackfillChange, BackfillStore } from '#shared/ports/backfill-store.ts';
import type { Page } from '#shared/ports/run-ledger.ts';

/**
 * BackfillStore on the run ledger's table, beside the runs: a backfill is the item `BACKFILL#<id>` / `BACKFILL`, and
 * two kinds of small entries list them without an index — `BACKFILLS#<groupId>` (every backfill of a group) and
 * `BACKFILLS#open` (those not finished, removed when they finish), each sorted by creation.
 */
const backfillPk = (backfillId: string): string => `BACKFILL#${backfillId}`;
const backfillSk = 'BACKFILL';
const groupListPk = (groupId: string): string => `BACKFILLS#${groupId}`;
const openListPk = 'BACKFILLS#open';
const entrySk = (backfill: Backfill): string => `${backfill.createdAt}#${backfill.backfillId}`;
/** Decisions re-made on a fresh read after a lost race before giving up. */
const maxDecisionRounds = 20;

export class DynamoDbBackfillStore implements BackfillStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async create(backfill: Backfill): Promise<void> {
    // The list entries first: a backfill is never stored without them (an entry without its backfill is skipped).
    const entry = { sk: entrySk(backfill), backfillId: backfill.backfillId };
    await this.#put({ pk: groupListPk(backfill.groupId), ...entry });
    await this.#put({ pk: openListPk, ...entry });
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { pk: backfillPk(backfill.backfillId), sk: backfillSk, ...backfill },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(backfillId: string): Promise<Backfill | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { pk: backfillPk(backfillId), sk: backfillSk },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : toBackfill(Item);
  }

  async listByGroup(groupId: string, options: { limit?: number; cursor?: string } = {}): Promise<Page<Backfill>> {
    const { Items = [], LastEvaluatedKey } = await queryPage(
      this.#client,
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': groupListPk(groupId) },
        ScanIndexForward: false,
        Limit: options.limit ?? 100,
        ExclusiveStartKey: decodeCursor(options.cursor, {
          attributes: ['pk', 'sk'],
          equals: { pk: groupListPk(groupId) },
        }),
      }),
    );
    const items = await this.#getAll(Items.map((item) => String(item.backfillId)));
    const cursor = encodeCursor(LastEvaluatedKey);
    return cursor === undefined ? { items } : { items, cursor };
  }

  async listOpen(): Promise<Backfill[]> {
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': openListPk },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      ids.push(...Items.map((item) => String(item.backfillId)));
      startKey = LastEvaluatedKey;
    } while (startKey !== undefined);
    const backfills = await this.#getAll(ids);
    // An entry left by a crash between a backfill's finish and the entry's removal is removed now.
    for (const finished of backfills.filter((backfill) => backfill.finishedAt !== undefined)) {
      await this.#client.send(
        new DeleteCommand({ TableName: this.#tableName, Key: { pk: openListPk, sk: entrySk(finished) } }),
      );
    }
    return backfills.filter((backfill) => backfill.finishedAt === undefined);
  }

  async update(backfillId: string, event: BackfillEvent): Promise<BackfillChange> {
    for (let round = 0; round < maxDecisionRounds; round++) {
      const backfill = await this.get(backfillId);
      if (backfill === undefined) throw new NotFoundError('backfill', backfillId);
      const decision = decideBackfill(backfill, event);
      if ('refused' in decision) return { backfill, refused: decision.refused };
      try {
        await this.#client.send(
          new PutCommand({
            TableName: this.#tableName,
            Item: { pk: backfillPk(backfillId), sk: backfillSk, ...decision.backfill },
            ConditionExpression: '#revision = :revision',
            ExpressionAttributeNames: { '#revision': 'revision' },
            ExpressionAttributeValues: { ':revision': backfill.revision },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) continue;
        throw error;
      }
      if (decision.backfill.finishedAt !== undefined) {
        await this.#client.send(
          new DeleteCommand({ TableName: this.#tableName, Key: { pk: openListPk, sk: entrySk(decision.backfill) } }),
        );
      }
      return { backfill: decision.backfill };
    }
    throw new Error(`backfill ${backfillId} kept changing under ${event.kind}`);
  }

  async #put(item: Record<string, unknown>): Promise<void> {
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: item }));
  }

  /** The backfills of these ids, in this order (ids without a stored backfill left out). */
  async #getAll(ids: readonly string[]): Promise<Backfill[]> {
    const found = new Map<string, Backfill>();
    for (let start = 0; start < ids.length; start += 100) {
      let keys: Record<string, unknown>[] = ids
        .slice(start, start + 100)
        .map((id) => ({ pk: backfillPk(id), sk: backfillSk }));
      while (keys.length > 0) {
        const { Responses, UnprocessedKeys } = await this.#client.send(
          new BatchGetCommand({ RequestItems: { [this.#tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of Responses?.[this.#tableName] ?? []) {
          const backfill = toBackfill(item);
          found.set(backfill.backfillId, backfill);
        }
        keys = UnprocessedKeys?.[this.#tableName]?.Keys ?? [];
      }
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }
}

function toBackfill(item: Record<string, unknown>): Backfill {
  const { pk: _pk, sk: _sk, ...backfill } = item;
  return BackfillSchema.parse(backfill);
}
