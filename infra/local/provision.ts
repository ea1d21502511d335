import {
  type AttributeDefinition,
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { ConflictException, CreateScheduleGroupCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  backfillStepsQueue,
  deadLetterRetentionDays,
  env,
  type FetchQueueDefinition,
  fetchQueues,
  jobRetentionDays,
  type KeyAttribute,
  type QueueDefinition,
  scheduleDeadLetterQueue,
  scheduleGroupName,
  type TableDefinition,
  tables,
  visibilityTimeoutSeconds,
} from '#infra/resources.ts';
import { isLoopbackUrl } from '#shared/adapters/aws-endpoint.ts';

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
  try {
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
  } catch (error) {
    // An emulator that already holds the table (a reused AWS_ENDPOINT_URL) keeps it and its data.
    if (error instanceof ResourceInUseException) return;
    throw error;
  }
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

/** Names and URLs of the provisioned resources, as the environment variables the functions read. */
export type ProvisionedEnvironment = Record<string, string>;

/**
 * Provisions every stateful resource of `infra/resources.ts` into the emulator under `prefix`: the tables (streams,
 * indexes, TTL), each data source's DLQ then job queue with its redrive policy, the backfill steps' DLQ then queue,
 * and the schedule group. Returns the environment the functions read. Event source mappings, functions and URLs are
 * never created in the emulator: the local runtime plays their part.
 */
export async function provisionResources(
  clients: {
    dynamodb: Pick<DynamoDBClient, 'send'>;
    sqs: Pick<SQSClient, 'send'>;
    scheduler: Pick<SchedulerClient, 'send'>;
  },
  prefix: string,
  queues: readonly FetchQueueDefinition[] = fetchQueues,
): Promise<ProvisionedEnvironment> {
  const environment: ProvisionedEnvironment = {};
  for (const table of tables) {
    const tableName = `${prefix}-${table.id}`;
    await createTable(clients.dynamodb, table, tableName);
    environment[table.envVar] = tableName;
  }
  for (const queue of [...queues, backfillStepsQueue]) {
    const urls = await createQueue(clients.sqs, queue, prefix);
    environment[queue.envVar] = urls.queueUrl;
    environment[queue.deadLetterEnvVar] = urls.deadLetterQueueUrl;
  }
  const scheduleDeadLetters = await createDeadLetterQueue(clients.sqs, `${prefix}-${scheduleDeadLetterQueue.id}`);
  environment[scheduleDeadLetterQueue.envVar] = scheduleDeadLetters.url;
  environment[scheduleDeadLetterQueue.arnEnvVar] = scheduleDeadLetters.arn;
  try {
    await clients.scheduler.send(new CreateScheduleGroupCommand({ Name: scheduleGroupName }));
  } catch (error) {
    if (!(error instanceof ConflictException)) throw error;
  }
  environment[env.scheduleGroupName] = scheduleGroupName;
  return environment;
}

/**
 * Creates a queue's dead-letter queue, then the queue redriving to it, as the stateful stack defines them (visibility,
 * retention, `maxReceiveCount`).
 */
async function createQueue(
  sqs: Pick<SQSClient, 'send'>,
  queue: QueueDefinition,
  prefix: string,
): Promise<{ queueUrl: string; deadLetterQueueUrl: string }> {
  const deadLetters = await createDeadLetterQueue(sqs, `${prefix}-${queue.id}DeadLetters`);
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-${queue.id}`,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeoutSeconds(queue)),
        MessageRetentionPeriod: String(jobRetentionDays * 86_400),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetters.arn,
          maxReceiveCount: queue.maxReceiveCount,
        }),
      },
    }),
  );
  return { queueUrl: requireLoopbackQueueUrl(created.QueueUrl), deadLetterQueueUrl: deadLetters.url };
}

/** Creates a dead-letter queue, kept for the SQS maximum; returns its URL and ARN. */
async function createDeadLetterQueue(
  sqs: Pick<SQSClient, 'send'>,
  queueName: string,
): Promise<{ url: string; arn: string }> {
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: queueName,
      Attributes: { MessageRetentionPeriod: String(deadLetterRetentionDays * 86_400) },
    }),
  );
  const url = requireLoopbackQueueUrl(created.QueueUrl);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  if (Attributes?.QueueArn === undefined) throw new Error(`the emulator gave queue ${queueName} no ARN`);
  return { url, arn: Attributes.QueueArn };
}

/** Queue URLs must point at the emulator: the SDK may send requests to a queue URL's own host. */
function requireLoopbackQueueUrl(url: string | undefined): string {
  if (url === undefined || !isLoopbackUrl(url))
    throw new Error(`the emulator returned a non-loopback queue URL: ${url}`);
  return url;
}
