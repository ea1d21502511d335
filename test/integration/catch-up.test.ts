import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTable } from '#infra/local/provision.ts';
import { tables } from '#infra/resources.ts';
import { createDocumentClient } from '#shared/adapters/aws-clients.ts';
import { dispatchPorts } from '#shared/lambda/aws-deps.ts';
import { JobMessageSchema } from '#shared/messages/run-job-message.ts';
import { silentLog } from '#shared/observability/logger.ts';
import { dispatchRun } from '#shared/use-cases/dispatch-run.ts';
import { recordMissedRuns } from '#shared/use-cases/record-missed-runs.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { aJobGroup } from '#test/fixtures/builders.ts';

// Friday 2026-11-27 18:00 JST: the 17:00, 17:15 and 17:30 ticks never arrived.
const runIds = ['fx.20261127T080000Z', 'fx.20261127T081500Z', 'fx.20261127T083000Z'];

describe('the reconciler catching up missed runs on moto', () => {
  let ports: ReturnType<typeof dispatchPorts>;
  let queueUrl: string;
  const sqs = new SQSClient({});

  beforeAll(async () => {
    const suffix = Date.now();
    const client = createDocumentClient();
    for (const table of tables) await createTable(client, table, `${table.id}-${suffix}`);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `jobs-${suffix}` }));
    queueUrl = QueueUrl ?? '';
    ports = dispatchPorts({
      JOB_GROUPS_TABLE_NAME: `JobGroups-${suffix}`,
      JOB_RUNS_TABLE_NAME: `JobRuns-${suffix}`,
      MARKET_DATA_TABLE_NAME: `MarketData-${suffix}`,
      DATA_SOURCES_TABLE_NAME: `DataSources-${suffix}`,
      JQUANTS_QUEUE_URL: queueUrl,
      YAHOO_QUEUE_URL: queueUrl,
    });
  });

  it('dispatches the latest missed tick through the real queue, records the rest, and does it once', async () => {
    const clock = new FakeClock('2026-11-27T09:00:00.000Z');
    await ports.groupStore.create(
      aJobGroup({
        id: 'fx',
        schedule: '0,15,30 17 * * 1-5',
        catchUp: 'latest',
        parametersTemplate: { code: '72030', date: '{{businessDate}}' },
        updatedAt: '2026-11-26T00:00:00.000Z',
      }),
    );
    const watch = () =>
      recordMissedRuns({
        groupStore: ports.groupStore,
        runLedger: ports.runLedger,
        dispatch: (request) => dispatchRun(request, { ...ports, clock, log: silentLog }),
        clock,
        log: silentLog,
      });

    expect(await watch()).toEqual({
      missed: [runIds[0], runIds[1]],
      skipped: [],
      caughtUp: [runIds[2]],
    });
    expect(await ports.runLedger.getRun(runIds[2] ?? '')).toMatchObject({
      status: 'running',
      trigger: 'scheduled',
      counters: { total: 1 },
    });
    expect(await ports.runLedger.getRun(runIds[0] ?? '')).toMatchObject({ status: 'missed' });
    expect(await watch()).toEqual({ missed: [], skipped: [], caughtUp: [] });

    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const sent = Messages.map((message) => JobMessageSchema.parse(JSON.parse(message.Body ?? '')));
    expect(sent).toEqual([
      expect.objectContaining({ runId: runIds[2], params: { code: '72030', date: '2026-11-27' } }),
    ]);
  });
});
