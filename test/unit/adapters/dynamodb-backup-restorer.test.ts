import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDbBackupRestorer } from '#shared/adapters/dynamodb-backup-restorer.ts';
import { RestoreInterruptedError } from '#shared/ports/backup-restorer.ts';
import { aJobGroup } from '#test/fixtures/builders.ts';

const documentMock = mockClient(DynamoDBDocumentClient);
const restorer = new DynamoDbBackupRestorer({
  client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  jobGroupsTableName: 'JobGroups',
  dataSourcesTableName: 'DataSources',
});

describe('DynamoDbBackupRestorer', () => {
  afterEach(() => documentMock.reset());

  it('stops at a failed put that is no conflict, carrying the outcomes before it and attempting nothing after', async () => {
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
      name: 'ProvisionedThroughputExceededException',
    });
    documentMock.on(PutCommand).resolvesOnce({}).resolvesOnce({}).rejectsOnce(throttled).resolves({});
    const groups = ['a', 'b', 'c', 'd'].map((id) => ({ item: aJobGroup({ id }), expectedVersion: undefined }));
    const failure = await restorer.restore({ groups, dataSources: [] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RestoreInterruptedError);
    expect(failure).toMatchObject({
      outcomes: { groups: ['applied', 'applied'], dataSources: [] },
      failed: { kind: 'job group', id: 'c' },
      cause: throttled,
    });
    expect(documentMock.commandCalls(PutCommand)).toHaveLength(3);
  });

  it('writes settings under their settings key, after the groups, each conditional on its expected version', async () => {
    documentMock.on(PutCommand).resolves({});
    await restorer.restore({
      groups: [{ item: aJobGroup({ id: 'a', version: 3 }), expectedVersion: 2 }],
      dataSources: [
        {
          item: {
            id: 'yahoo',
            rateLimit: { limit: 30, per: 'minute' },
            updatedAt: '2026-11-27T00:00:00.000Z',
            version: 1,
          },
          expectedVersion: undefined,
        },
      ],
    });
    const inputs = documentMock.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      expect.objectContaining({
        TableName: 'JobGroups',
        ConditionExpression: '#version = :expectedVersion',
        ExpressionAttributeValues: { ':expectedVersion': 2 },
      }),
      expect.objectContaining({
        TableName: 'DataSources',
        Item: expect.objectContaining({ pk: 'settings#yahoo', id: 'yahoo' }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ]);
  });
});
