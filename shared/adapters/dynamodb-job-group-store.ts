import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '#shared/domain/errors.ts';
import { type JobGroup, JobGroupSchema } from '#shared/domain/job-group.ts';
import { readStoredGroups } from '#shared/domain/stored-job-groups.ts';
import type { JobGroupListing, JobGroupStore } from '#shared/ports/job-group-store.ts';

/** Each condition named for the rule it enforces. */
const groupIsNew = 'attribute_not_exists(id)';
const groupIsStillAtExpectedVersion = 'attribute_exists(id) AND #version = :expectedVersion';
const groupExists = 'attribute_exists(id)';

/** JobGroupStore on a DynamoDB table keyed by `id`; one item per group, stored as the group itself. */
export class DynamoDbJobGroupStore implements JobGroupStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async create(group: JobGroup): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({ TableName: this.#tableName, Item: group, ConditionExpression: groupIsNew }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new AlreadyExistsError('job group', group.id);
      throw error;
    }
  }

  async get(id: string): Promise<JobGroup | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { id }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : JobGroupSchema.parse(Item);
  }

  async list(): Promise<JobGroupListing> {
    const items: Record<string, unknown>[] = [];
    const pages = paginateScan({ client: this.#client }, { TableName: this.#tableName, ConsistentRead: true });
    for await (const page of pages) items.push(...(page.Items ?? []));
    return readStoredGroups(items);
  }

  async update(group: JobGroup, expectedVersion: number): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: group,
          ConditionExpression: groupIsStillAtExpectedVersion,
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw await this.#conflictFor(group.id, expectedVersion);
      throw error;
    }
  }

  async delete(id: string, expectedVersion?: number): Promise<void> {
    try {
      await this.#client.send(
        new DeleteCommand(
          expectedVersion === undefined
            ? { TableName: this.#tableName, Key: { id }, ConditionExpression: groupExists }
            : {
                TableName: this.#tableName,
                Key: { id },
                ConditionExpression: groupIsStillAtExpectedVersion,
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
              },
        ),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw expectedVersion === undefined
          ? new NotFoundError('job group', id)
          : await this.#conflictFor(id, expectedVersion);
      }
      throw error;
    }
  }

  /** A failed optimistic write means the group is gone or has moved on; say which. */
  async #conflictFor(id: string, expectedVersion: number): Promise<Error> {
    const current = await this.get(id);
    return current === undefined
      ? new NotFoundError('job group', id)
      : new VersionConflictError('job group', id, expectedVersion);
  }
}
