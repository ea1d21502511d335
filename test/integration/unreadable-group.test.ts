import { CreateScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTable } from '#infra/local/provision.ts';
import { tables } from '#infra/resources.ts';
import { createDocumentClient, createSchedulerClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbBackupRestorer } from '#shared/adapters/dynamodb-backup-restorer.ts';
import { EventBridgeScheduleStore } from '#shared/adapters/event-bridge-schedule-store.ts';
import { createAdminApi } from '#shared/admin-api/admin-api.ts';
import { dispatchPorts } from '#shared/lambda/aws-deps.ts';
import { type Log, silentLog } from '#shared/observability/logger.ts';
import { reconcileSchedules } from '#shared/use-cases/reconcile-schedules.ts';
import { recordMissedRuns } from '#shared/use-cases/record-missed-runs.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { FakeDataSource } from '#test/fakes/fake-data-source.ts';
import { InMemoryDeadLetterDepths } from '#test/fakes/in-memory-dead-letter-depths.ts';
import { InMemoryDeadLetterQueue } from '#test/fakes/in-memory-dead-letter-queue.ts';
import { InMemoryRateLimiter } from '#test/fakes/in-memory-rate-limiter.ts';
import { RecordingStepRequests } from '#test/fakes/recording-step-requests.ts';
import { aJobGroup, scheduleOf } from '#test/fixtures/builders.ts';

// Friday 2026-11-27 18:00 JST, after the readable group's 17:30 tick, which never arrived.
const clock = new FakeClock('2026-11-27T09:00:00.000Z');

describe('a stored group that no longer parses, on moto', () => {
  let ports: ReturnType<typeof dispatchPorts>;
  let scheduleStore: EventBridgeScheduleStore;
  let jobGroupsTableName: string;
  let dataSourcesTableName: string;

  beforeAll(async () => {
    const suffix = Date.now();
    const client = createDocumentClient();
    for (const table of tables) await createTable(client, table, `${table.id}-${suffix}`);
    jobGroupsTableName = `JobGroups-${suffix}`;
    dataSourcesTableName = `DataSources-${suffix}`;
    ports = dispatchPorts({
      JOB_GROUPS_TABLE_NAME: jobGroupsTableName,
      JOB_RUNS_TABLE_NAME: `JobRuns-${suffix}`,
      MARKET_DATA_TABLE_NAME: `MarketData-${suffix}`,
      DATA_SOURCES_TABLE_NAME: dataSourcesTableName,
      JQUANTS_QUEUE_URL: 'http://127.0.0.1:1/123456789012/unused',
      YAHOO_QUEUE_URL: 'http://127.0.0.1:1/123456789012/unused',
    });
    const scheduler = createSchedulerClient();
    const groupName = `moomoo-job-groups-${suffix}`;
    await scheduler.send(new CreateScheduleGroupCommand({ Name: groupName }));
    scheduleStore = new EventBridgeScheduleStore({
      client: scheduler,
      groupName,
      targetArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:dispatch-run',
      roleArn: 'arn:aws:iam::123456789012:role/scheduler-invoke',
      deadLetterQueueArn: 'arn:aws:sqs:ap-northeast-1:123456789012:schedule-dead-letters',
    });

    await ports.groupStore.create(
      aJobGroup({ id: 'readable', schedule: '30 17 * * 1-5', updatedAt: '2026-11-26T00:00:00.000Z' }),
    );
    // A hand edit in the console: the schedule typed as a number. Its schedule was made while it still parsed.
    const corrupt = aJobGroup({ id: 'corrupt' });
    await client.send(new PutCommand({ TableName: jobGroupsTableName, Item: { ...corrupt, schedule: 1730 } }));
    await scheduleStore.upsert(scheduleOf(corrupt));
  });

  it('answers GET /groups with 200, the readable groups, and the corrupt one under unreadable', async () => {
    const api = createAdminApi({
      ...ports,
      restorer: new DynamoDbBackupRestorer({ client: ports.client, jobGroupsTableName, dataSourcesTableName }),
      deadLetterDepths: new InMemoryDeadLetterDepths(),
      deadLetterStores: { jquants: new InMemoryDeadLetterQueue(), yahoo: new InMemoryDeadLetterQueue() },
      dataSources: async () => new FakeDataSource(),
      steps: new RecordingStepRequests(),
      rateLimiter: new InMemoryRateLimiter(clock),
      clock,
      log: silentLog,
    });
    const response = await api.handle({ method: 'GET', path: '/groups', headers: {}, query: {}, body: undefined });
    expect(response.statusCode).toBe(200);
    const body = response.body as { groups: { id: string }[]; unreadable: unknown[] };
    expect(body.groups.map((group) => group.id)).toEqual(['readable']);
    expect(body.unreadable).toEqual([{ id: 'corrupt', error: expect.stringMatching(/^schedule: /) }]);
  });

  it('lets the reconciler repair the readable group, keep the corrupt one schedule and report it', async () => {
    const logged: string[] = [];
    const log: Log = { ...silentLog, error: (message, data) => logged.push(`${message}: ${String(data?.groupId)}`) };
    const report = await reconcileSchedules({ groupStore: ports.groupStore, scheduleStore, clock, log });
    expect(report).toMatchObject({ created: ['readable'], deleted: [], failed: [] });
    expect(report.unreadable).toEqual([{ id: 'corrupt', error: expect.stringMatching(/^schedule: /) }]);
    expect(logged).toEqual(['stored group cannot be read: corrupt']);
    expect(await scheduleStore.get('readable')).toMatchObject({ state: 'ENABLED', targetMatches: true });
    expect(await scheduleStore.get('corrupt')).toBeDefined();
  });

  it('lets the watchdog judge the readable group', async () => {
    const report = await recordMissedRuns({
      groupStore: ports.groupStore,
      runLedger: ports.runLedger,
      tradingCalendar: ports.tradingCalendar,
      steps: new RecordingStepRequests(),
      dispatch: async () => {
        throw new Error('catch-up none dispatches nothing');
      },
      clock,
      log: silentLog,
    });
    expect(report.missed).toEqual(['readable.20261127T083000Z']);
  });
});
