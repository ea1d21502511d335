import { createTable } from '#infra/local/provision.ts';
import { dataSourcesTable, jobGroupsTable, type TableDefinition } from '#infra/resources.ts';
import { createDocumentClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbBackupRestorer } from '#shared/adapters/dynamodb-backup-restorer.ts';
import { DynamoDbDataSourceSettingsStore } from '#shared/adapters/dynamodb-data-source-settings-store.ts';
import { DynamoDbJobGroupStore } from '#shared/adapters/dynamodb-job-group-store.ts';
import { describeBackupRestorerContract } from '#test/contracts/backup-restorer.contract.ts';

const client = createDocumentClient();
let sequence = 0;

async function freshTable(definition: TableDefinition): Promise<string> {
  const name = `${definition.id}-${++sequence}-${Date.now()}`;
  await createTable(client, definition, name);
  return name;
}

describeBackupRestorerContract('DynamoDB on moto', async () => {
  const jobGroupsTableName = await freshTable(jobGroupsTable);
  const dataSourcesTableName = await freshTable(dataSourcesTable);
  return {
    restorer: new DynamoDbBackupRestorer({ client, jobGroupsTableName, dataSourcesTableName }),
    groupStore: new DynamoDbJobGroupStore({ client, tableName: jobGroupsTableName }),
    settingsStore: new DynamoDbDataSourceSettingsStore({ client, tableName: dataSourcesTableName }),
  };
});
