import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { endpointOptions } from '#shared/adapters/aws-endpoint.ts';
import { guardEmulatorWrites } from '#shared/adapters/emulator-write-guard.ts';

/**
 * The SDK clients, built once per process with the emulator guard applied. Deployed, they use the SDK defaults
 * (region and credentials from the Lambda environment).
 */

/** A DynamoDB document client that drops `undefined` attributes and keeps numbers as numbers. */
export function createDocumentClient(env: Record<string, string | undefined> = process.env): DynamoDBDocumentClient {
  const options = endpointOptions(env);
  const client = new DynamoDBClient(options);
  if (options.endpoint !== undefined) guardEmulatorWrites(client);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/**
 * An SQS client. With an endpoint override, `useQueueUrlAsEndpoint` is off so that a real-looking queue URL can
 * never redirect a test or sandbox request to real AWS.
 */
export function createSqsClient(env: Record<string, string | undefined> = process.env): SQSClient {
  const options = endpointOptions(env);
  // Every SQS port of a function shares one client: building a client costs a cold start milliseconds.
  const key = JSON.stringify(options);
  let client = sqsClients.get(key);
  if (client === undefined) {
    client = new SQSClient(options.endpoint === undefined ? {} : { ...options, useQueueUrlAsEndpoint: false });
    sqsClients.set(key, client);
  }
  return client;
}

const sqsClients = new Map<string, SQSClient>();

/** An EventBridge Scheduler client. */
export function createSchedulerClient(env: Record<string, string | undefined> = process.env): SchedulerClient {
  return new SchedulerClient({ ...endpointOptions(env) });
}
