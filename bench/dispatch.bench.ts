import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startMotoServer } from '#infra/local/moto-server.ts';
import { provisionResources } from '#infra/local/provision.ts';
import { createDocumentClient, createSqsClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbDataSourceSettingsStore } from '#shared/adapters/dynamodb-data-source-settings-store.ts';
import { DynamoDbJobGroupStore } from '#shared/adapters/dynamodb-job-group-store.ts';
import { DynamoDbMarketDataStore } from '#shared/adapters/dynamodb-market-data-store.ts';
import { DynamoDbRunLedger } from '#shared/adapters/dynamodb-run-ledger.ts';
import { SqsJobQueue } from '#shared/adapters/sqs-job-queue.ts';
import { StoredListedCodes, StoredTradingCalendar } from '#shared/adapters/stored-reference-data.ts';
import { systemClock } from '#shared/adapters/system-clock.ts';
import { silentLog } from '#shared/observability/logger.ts';
import { dispatchRun } from '#shared/use-cases/dispatch-run.ts';
import { aJobGroup } from '#test/fixtures/builders.ts';

/**
 * Dispatching a 4,400-job run against moto: SendMessageBatch calls (target: 440, 10 per call) and wall time.
 * The jobs are per-code date ranges, which request planning cannot collapse, so every job is its own message.
 */
export async function benchDispatch(): Promise<Record<string, number | string>> {
  const moto = await startMotoServer();
  try {
    const env = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: 'ap-northeast-1',
      AWS_ACCESS_KEY_ID: 't',
      AWS_SECRET_ACCESS_KEY: 't',
    };
    Object.assign(process.env, env);
    const region = env.AWS_REGION;
    const environment = await provisionResources(
      {
        dynamodb: new DynamoDBClient({ endpoint: moto.endpoint, region }),
        sqs: new SQSClient({ endpoint: moto.endpoint, region, useQueueUrlAsEndpoint: false }),
        scheduler: new SchedulerClient({ endpoint: moto.endpoint, region }),
      },
      'bench',
    );
    const client = createDocumentClient();
    const sqs = createSqsClient();
    let sendMessageBatchCalls = 0;
    sqs.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'SendMessageBatchCommand') sendMessageBatchCalls++;
        return next(args);
      },
      { step: 'initialize', name: 'countBatches' },
    );
    const groupStore = new DynamoDbJobGroupStore({ client, tableName: environment.JOB_GROUPS_TABLE_NAME ?? '' });
    const marketData = new DynamoDbMarketDataStore({ client, tableName: environment.MARKET_DATA_TABLE_NAME ?? '' });
    const queue = new SqsJobQueue({ client: sqs, queueUrl: environment.JQUANTS_QUEUE_URL ?? '' });
    const codes = Array.from({ length: 4400 }, (_, index) => `${String(1300 + index).padStart(4, '0')}0`);
    const now = new Date().toISOString();
    await groupStore.create(
      aJobGroup({
        id: 'bench-ranges',
        schedule: '0 18 * * 1-5',
        parametersTemplate: { code: { $each: codes }, from: '{{businessDate-7d}}', to: '{{businessDate}}' },
        createdAt: now,
        updatedAt: now,
      }),
    );
    const started = performance.now();
    const outcome = await dispatchRun(
      { groupId: 'bench-ranges', scheduledTime: '2026-11-27T09:00:00Z' },
      {
        groupStore,
        runLedger: new DynamoDbRunLedger({ client, tableName: environment.JOB_RUNS_TABLE_NAME ?? '' }),
        queues: { jquants: queue, yahoo: queue },
        listedCodes: new StoredListedCodes(marketData),
        tradingCalendar: new StoredTradingCalendar(marketData),
        settingsStore: new DynamoDbDataSourceSettingsStore({
          client,
          tableName: environment.DATA_SOURCES_TABLE_NAME ?? '',
        }),
        // The run is dispatched, not settled: nothing follows it here.
        steps: { backfill: async () => {}, dependents: async () => {} },
        clock: systemClock,
        log: silentLog,
      },
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      jobs: outcome.outcome === 'dispatched' ? outcome.run.counters.total : outcome.outcome,
      messages: outcome.outcome === 'dispatched' ? outcome.messages : 0,
      sendMessageBatchCalls,
      dispatchSeconds: Number(seconds.toFixed(1)),
    };
  } finally {
    await moto.stop();
  }
}
