import {
  type AttributeDefinition,
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { KeyAttribute, TableDefinition } from '#infra/resources.ts';

/**
 * Creates a table in the emulator from the same definition the CDK stateful stack builds, so sandbox and tests run
 * on the keys, indexes and stream the deployed table has.
 */
export async function createTable(
  client: Pick<DynamoDBClient, 'send'>,
  definition: TableDefinition,
  tableName: string,
): Promise<void> {
  const keyAttributes = [
    definition.partitionKey,
    ...(definition.sortKey ? [definition.sortKey] : []),
    ...definition.indexes.flatMap((index) => [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])]),
  ];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: uniqueAttributes(keyAttributes),
      KeySchema: keySchema(definition.partitionKey, definition.sortKey),
      ...(definition.indexes.length === 0
        ? {}
        : {
            GlobalSecondaryIndexes: definition.indexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: keySchema(index.partitionKey, index.sortKey),
              Projection: { ProjectionType: 'ALL' },
            })),
          }),
      ...(definition.stream === undefined
        ? {}
        : { StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream } }),
    }),
  );
  if (definition.timeToLiveAttribute !== undefined) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: definition.timeToLiveAttribute },
      }),
    );
  }
}

function keySchema(
  partitionKey: KeyAttribute,
  sortKey: KeyAttribute | undefined,
): { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[] {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
}

function uniqueAttributes(attributes: readonly KeyAttribute[]): AttributeDefinition[] {
  const byName = new Map(attributes.map((attribute) => [attribute.name, attribute]));
  return [...byName.values()].map((attribute) => ({ AttributeName: attribute.name, AttributeType: attribute.type }));
}
