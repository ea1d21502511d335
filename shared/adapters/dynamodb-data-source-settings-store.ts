import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DataSourceId } from '#shared/domain/data-source.ts';
import {
  type DataSourceHealth,
  DataSourceHealthSchema,
  type DataSourceSettings,
  DataSourceSettingsSchema,
} from '#shared/domain/data-source-settings.ts';
import { VersionConflictError } from '#shared/domain/errors.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';

const settingsAreNew = 'attribute_not_exists(pk)';
const settingsAreStillAtExpectedVersion = '#version = :expectedVersion';
const settingsKey = (id: DataSourceId): string => `settings#${id}`;
const healthKey = (id: DataSourceId): string => `health#${id}`;

/** DataSourceSettingsStore on the DataSources table (items `settings#<id>`, beside the token buckets). */
export class DynamoDbDataSourceSettingsStore implements DataSourceSettingsStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async get(id: DataSourceId): Promise<DataSourceSettings | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { pk: settingsKey(id) }, ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const { pk: _pk, ...settings } = Item;
    return DataSourceSettingsSchema.parse(settings);
  }

  async put(settings: DataSourceSettings, expectedVersion: number): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { pk: settingsKey(settings.id), ...settings },
          ...(expectedVersion === 0
            ? { ConditionExpression: settingsAreNew }
            : {
                ConditionExpression: settingsAreStillAtExpectedVersion,
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new VersionConflictError('data source settings', settings.id, expectedVersion);
      }
      throw error;
    }
  }

  async getHealth(id: DataSourceId): Promise<DataSourceHealth | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { pk: healthKey(id) }, ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const { pk: _pk, ...health } = Item;
    return DataSourceHealthSchema.parse(health);
  }

  async recordHealth(id: DataSourceId, health: DataSourceHealth): Promise<void> {
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: { pk: healthKey(id), ...health } }));
  }
}
