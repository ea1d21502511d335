import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  type BackupRestorer,
  RestoreInterruptedError,
  type RestoreOutcome,
  type RestoreOutcomes,
  type RestoreWrites,
} from '#shared/ports/backup-restorer.ts';

/** Each condition named for the rule it enforces. */
const itemIsNew = (keyAttribute: string): string => `attribute_not_exists(${keyAttribute})`;
const itemIsStillAtExpectedVersion = '#version = :expectedVersion';

/**
 * BackupRestorer with one conditional put per item on the JobGroups and DataSources tables (settings items
 * `settings#<id>`, as the settings store writes them). Puts go one at a time: an interruption then knows exactly
 * which writes were applied before it.
 */
export class DynamoDbBackupRestorer implements BackupRestorer {
  readonly #client: DynamoDBDocumentClient;
  readonly #jobGroupsTableName: string;
  readonly #dataSourcesTableName: string;

  constructor(options: { client: DynamoDBDocumentClient; jobGroupsTableName: string; dataSourcesTableName: string }) {
    this.#client = options.client;
    this.#jobGroupsTableName = options.jobGroupsTableName;
    this.#dataSourcesTableName = options.dataSourcesTableName;
  }

  async restore(writes: RestoreWrites): Promise<RestoreOutcomes> {
    const groups: RestoreOutcome[] = [];
    const dataSources: RestoreOutcome[] = [];
    const puts = [
      ...writes.groups.map((write) => ({
        kind: 'job group' as const,
        id: write.item.id,
        outcomes: groups,
        expectedVersion: write.expectedVersion,
        tableName: this.#jobGroupsTableName,
        item: write.item,
        keyAttribute: 'id',
      })),
      ...writes.dataSources.map((write) => ({
        kind: 'data source settings' as const,
        id: write.item.id,
        outcomes: dataSources,
        expectedVersion: write.expectedVersion,
        tableName: this.#dataSourcesTableName,
        item: { pk: `settings#${write.item.id}`, ...write.item },
        keyAttribute: 'pk',
      })),
    ];
    for (const put of puts) {
      try {
        await this.#client.send(
          new PutCommand({
            TableName: put.tableName,
            Item: put.item,
            ...(put.expectedVersion === undefined
              ? { ConditionExpression: itemIsNew(put.keyAttribute) }
              : {
                  ConditionExpression: itemIsStillAtExpectedVersion,
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':expectedVersion': put.expectedVersion },
                }),
          }),
        );
        put.outcomes.push('applied');
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) {
          throw new RestoreInterruptedError({ groups, dataSources }, { kind: put.kind, id: put.id }, { cause: error });
        }
        put.outcomes.push('conflict');
      }
    }
    return { groups, dataSources };
  }
}
