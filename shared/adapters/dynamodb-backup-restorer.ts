import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DataSourceSettings } from '#shared/domain/data-source-settings.ts';
import { ValidationError, VersionConflictError } from '#shared/domain/errors.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { type BackupRestorer, maxRestoreWrites, type RestoreWrite } from '#shared/ports/backup-restorer.ts';

/** BackupRestorer with one DynamoDB transaction across the JobGroups and DataSources tables. */
export class DynamoDbBackupRestorer implements BackupRestorer {
  readonly #client: DynamoDBDocumentClient;
  readonly #jobGroupsTableName: string;
  readonly #dataSourcesTableName: string;

  constructor(options: { client: DynamoDBDocumentClient; jobGroupsTableName: string; dataSourcesTableName: string }) {
    this.#client = options.client;
    this.#jobGroupsTableName = options.jobGroupsTableName;
    this.#dataSourcesTableName = options.dataSourcesTableName;
  }

  async restore(writes: {
    groups: readonly RestoreWrite<JobGroup>[];
    dataSources: readonly RestoreWrite<DataSourceSettings>[];
  }): Promise<void> {
    const items = [
      ...writes.groups.map((write) => ({
        kind: 'job group',
        id: write.item.id,
        expectedVersion: write.expectedVersion,
        put: { TableName: this.#jobGroupsTableName, Item: write.item, keyAttribute: 'id' },
      })),
      ...writes.dataSources.map((write) => ({
        kind: 'data source settings',
        id: write.item.id,
        expectedVersion: write.expectedVersion,
        put: {
          TableName: this.#dataSourcesTableName,
          Item: { pk: `settings#${write.item.id}`, ...write.item },
          keyAttribute: 'pk',
        },
      })),
    ];
    if (items.length === 0) return;
    if (items.length > maxRestoreWrites) {
      throw ValidationError.of('(body)', `an import applies at most ${maxRestoreWrites} items at once`);
    }
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: items.map(({ expectedVersion, put }) => ({
            Put: {
              TableName: put.TableName,
              Item: put.Item,
              ...(expectedVersion === undefined
                ? { ConditionExpression: `attribute_not_exists(${put.keyAttribute})` }
                : {
                    ConditionExpression: '#version = :expectedVersion',
                    ExpressionAttributeNames: { '#version': 'version' },
                    ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
                  }),
            },
          })),
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const index = (error.CancellationReasons ?? []).findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
        const item = items[index];
        if (item !== undefined) {
          throw new VersionConflictError(item.kind, item.id, item.expectedVersion ?? 0, { cause: error });
        }
      }
      throw error;
    }
  }
}
