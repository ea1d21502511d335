import { CreateScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createTable } from '#infra/local/provision.ts';
import {
  dataSourcesTable,
  jobGroupsTable,
  jobRunsTable,
  marketDataTable,
  type TableDefinition,
} from '#infra/resources.ts';
import { createDocumentClient, createSchedulerClient, createSqsClient } from '#shared/adapters/aws-clients.ts';
import { isLoopbackUrl } from '#shared/adapters/aws-endpoint.ts';
import { DynamoDbBackfillStore } from '#shared/adapters/dynamodb-backfill-store.ts';
import { DynamoDbDataSourceSettingsStore } from '#shared/adapters/dynamodb-data-source-settings-store.ts';
import { DynamoDbJobGroupStore } from '#shared/adapters/dynamodb-job-group-store.ts';
import { DynamoDbMarketDataStore } from '#shared/adapters/dynamodb-market-data-store.ts';
import { DynamoDbRunLedger } from '#shared/adapters/dynamodb-run-ledger.ts';
import { EventBridgeScheduleStore } from '#shared/adapters/event-bridge-schedule-store.ts';
import { SqsJobQueue } from '#shared/adapters/sqs-job-queue.ts';
import { type JobMessage, JobMessageSchema } from '#shared/messages/run-job-message.ts';
import { describeBackfillStoreContract } from '#test/contracts/backfill-store.contract.ts';
import { describeDataSourceSettingsStoreContract } from '#test/contracts/data-source-settings-store.contract.ts';
import { describeJobGroupStoreContract } from '#test/contracts/job-group-store.contract.ts';
import { describeJobQueueContract } from '#test/contracts/job-queue.contract.ts';
import { describeMarketDataStoreContract } from '#test/contracts/market-data-store.contract.ts';
import { describeRunLedgerContract } from '#test/contracts/run-ledger.contract.ts';
import { describeScheduleStoreContract } from '#test/contracts/schedule-store.contract.ts';

const documentClient = createDocumentClient();
const sqs = createSqsClient();
const scheduler = createSchedulerClient();
let sequence = 0;
const uniqueName = (base: string): string => `${base}-${++sequence}-${Date.now()}`;

async function freshTable(definition: TableDefinition): Promise<string> {
  const name = uniqueName(definition.id);
  await createTable(documentClient, definition, name);
  return name;
}

describeJobGroupStoreContract('DynamoDB on moto', async () => {
  const tableName = await freshTable(jobGroupsTable);
  return {
    store: new DynamoDbJobGroupStore({ client: documentClient, tableName }),
    putRawItem: async (item) => {
      await documentClient.send(new PutCommand({ TableName: tableName, Item: item }));
    },
  };
});

describeBackfillStoreContract('DynamoDB on moto', async () => {
  return new DynamoDbBackfillStore({ client: documentClient, tableName: await freshTable(jobRunsTable) });
});

describeRunLedgerContract('DynamoDB on moto', async () => {
  return new DynamoDbRunLedger({ client: documentClient, tableName: await freshTable(jobRunsTable) });
});

describeScheduleStoreContract('EventBridge Scheduler on moto', async () => {
  const groupName = uniqueName('moomoo-job-groups');
  await scheduler.send(new CreateScheduleGroupCommand({ Name: groupName }));
  return new EventBridgeScheduleStore({
    client: scheduler,
    groupName,
    targetArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:dispatch-run',
    roleArn: 'arn:aws:iam::123456789012:role/scheduler-invoke',
    deadLetterQueueArn: 'arn:aws:sqs:ap-northeast-1:123456789012:schedule-dead-letters',
  });
});

describeJobQueueContract('SQS on moto', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('jobs') }));
  if (QueueUrl === undefined || !isLoopbackUrl(QueueUrl)) throw new Error(`unexpected queue URL ${QueueUrl}`);
  return {
    queue: new SqsJobQueue({ client: sqs, queueUrl: QueueUrl }),
    received: async () => {
      const messages: JobMessage[] = [];
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) return messages;
        messages.push(...Messages.map((message) => JobMessageSchema.parse(JSON.parse(message.Body ?? ''))));
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
          }),
        );
      }
    },
  };
});

describeDataSourceSettingsStoreContract('DynamoDB on moto', async () => {
  return new DynamoDbDataSourceSettingsStore({ client: documentClient, tableName: await freshTable(dataSourcesTable) });
});

describeMarketDataStoreContract('DynamoDB on moto', async () => {
  return new DynamoDbMarketDataStore({ client: documentClient, tableName: await freshTable(marketDataTable) });
});
