import { beforeAll, describe, expect, it } from 'vitest';
import { createTable } from '#infra/local/provision.ts';
import { tables } from '#infra/resources.ts';
import { createDocumentClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbBackupRestorer } from '#shared/adapters/dynamodb-backup-restorer.ts';
import { type AdminApi, createAdminApi } from '#shared/admin-api/admin-api.ts';
import { requireDataset } from '#shared/datasets/registry.ts';
import { dispatchPorts } from '#shared/lambda/aws-deps.ts';
import { silentLog } from '#shared/observability/logger.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { FakeDataSource } from '#test/fakes/fake-data-source.ts';
import { InMemoryDeadLetterDepths } from '#test/fakes/in-memory-dead-letter-depths.ts';
import { InMemoryDeadLetterQueue } from '#test/fakes/in-memory-dead-letter-queue.ts';
import { InMemoryRateLimiter } from '#test/fakes/in-memory-rate-limiter.ts';
import { RecordingStepRequests } from '#test/fakes/recording-step-requests.ts';
import { aDailyBarRow, aJob, aRun } from '#test/fixtures/builders.ts';

/** Two runs of each of two groups, two jobs in each run, and daily bars of two codes over two dates. */
async function seed(ports: ReturnType<typeof dispatchPorts>): Promise<void> {
  for (const groupId of ['g1', 'g2']) {
    for (const hour of ['08', '09']) {
      const runId = `${groupId}.20261127T${hour}0000Z`;
      await ports.runLedger.claimRun(aRun({ runId, groupId, scheduledTime: `2026-11-27T${hour}:00:00.000Z` }));
      await ports.runLedger.addJobs(runId, [aJob({ runId, jobId: 'a' }), aJob({ runId, jobId: 'b' })]);
    }
  }
  const bars = ['72030', '67580'].flatMap((code) =>
    ['2026-11-26', '2026-11-27'].map((date) => aDailyBarRow(code, date)),
  );
  await ports.marketData.upsertRows(requireDataset('jquants.equities.bars.daily'), bars);
}

describe('forged cursors on every paginated admin route, on moto', () => {
  let api: AdminApi;
  const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const [pathname = '', search = ''] = path.split('?');
    const response = await api.handle({
      method: 'GET',
      path: pathname,
      headers: {},
      query: Object.fromEntries(new URLSearchParams(search)),
      body: undefined,
    });
    return { status: response.statusCode, body: response.body as Record<string, unknown> };
  };
  /** The cursor of the first page (one item) of a listing. */
  const cursorOf = async (path: string): Promise<string> => {
    const { status, body } = await get(`${path}${path.includes('?') ? '&' : '?'}limit=1`);
    expect(status, path).toBe(200);
    expect(typeof body.cursor, path).toBe('string');
    return String(body.cursor);
  };
  const expectCursorRefused = async (path: string, cursor: string): Promise<void> => {
    const { status, body } = await get(`${path}${path.includes('?') ? '&' : '?'}cursor=${cursor}`);
    expect(status, `${path} with cursor ${cursor}`).toBe(400);
    expect(body.error).toMatchObject({ code: 'validation_failed', details: { issues: [{ path: 'cursor' }] } });
  };

  const runsOfG1 = '/groups/g1/runs';
  const jobsOfRun = '/runs/g1.20261127T080000Z/jobs';
  const barsOf7203 = '/datasets/jquants.equities.bars.daily/rows?code=72030';
  const barsOnDate = '/datasets/jquants.equities.bars.daily/rows?date=2026-11-27';

  beforeAll(async () => {
    const suffix = Date.now();
    const client = createDocumentClient();
    for (const table of tables) await createTable(client, table, `${table.id}-${suffix}`);
    const ports = dispatchPorts({
      JOB_GROUPS_TABLE_NAME: `JobGroups-${suffix}`,
      JOB_RUNS_TABLE_NAME: `JobRuns-${suffix}`,
      MARKET_DATA_TABLE_NAME: `MarketData-${suffix}`,
      DATA_SOURCES_TABLE_NAME: `DataSources-${suffix}`,
      JQUANTS_QUEUE_URL: 'http://127.0.0.1:1/123456789012/unused',
      YAHOO_QUEUE_URL: 'http://127.0.0.1:1/123456789012/unused',
    });
    await seed(ports);
    const clock = new FakeClock('2026-11-28T00:00:00.000Z');
    api = createAdminApi({
      ...ports,
      restorer: new DynamoDbBackupRestorer({
        client,
        jobGroupsTableName: `JobGroups-${suffix}`,
        dataSourcesTableName: `DataSources-${suffix}`,
      }),
      deadLetterDepths: new InMemoryDeadLetterDepths(),
      deadLetterStores: { jquants: new InMemoryDeadLetterQueue(), yahoo: new InMemoryDeadLetterQueue() },
      dataSources: async () => new FakeDataSource(),
      steps: new RecordingStepRequests(),
      rateLimiter: new InMemoryRateLimiter(clock),
      clock,
      log: silentLog,
    });
  });

  it('pages every listing with the cursor it returned', async () => {
    for (const path of [runsOfG1, jobsOfRun, barsOf7203, barsOnDate]) {
      const next = await get(`${path}${path.includes('?') ? '&' : '?'}limit=1&cursor=${await cursorOf(path)}`);
      expect(next.status, path).toBe(200);
    }
  });

  it('answers 400 on cursor to an empty-object cursor on every listing', async () => {
    for (const path of [runsOfG1, jobsOfRun, barsOf7203, barsOnDate]) await expectCursorRefused(path, 'e30');
  });

  it('answers 400 on cursor to the cursor of another group, run or code', async () => {
    await expectCursorRefused(runsOfG1, await cursorOf('/groups/g2/runs'));
    await expectCursorRefused(jobsOfRun, await cursorOf('/runs/g2.20261127T080000Z/jobs'));
    await expectCursorRefused(barsOf7203, await cursorOf('/datasets/jquants.equities.bars.daily/rows?code=67580'));
    await expectCursorRefused(barsOnDate, await cursorOf('/datasets/jquants.equities.bars.daily/rows?date=2026-11-26'));
  });

  it('answers 400 on cursor to the cursor of another index or table key', async () => {
    await expectCursorRefused(runsOfG1, await cursorOf(jobsOfRun));
    await expectCursorRefused(jobsOfRun, await cursorOf(runsOfG1));
    await expectCursorRefused(barsOf7203, await cursorOf(barsOnDate));
    await expectCursorRefused(barsOnDate, await cursorOf(barsOf7203));
  });
});
