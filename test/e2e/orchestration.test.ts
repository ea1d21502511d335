import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '#infra/local/sandbox.ts';
import { jobGroupsTable } from '#infra/resources.ts';
import { createDocumentClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbJobGroupStore } from '#shared/adapters/dynamodb-job-group-store.ts';
import { backfillRunId } from '#shared/domain/backfill.ts';
import { dependencyRunId, scheduledRunId } from '#shared/domain/run.ts';
import {
  adminClient,
  eventually,
  finishedRun,
  scheduleInspector,
  startDemoSandbox,
} from '#test/fixtures/sandbox-client.ts';

/**
 * Orchestration through the sandbox (moto, the local runtime, the demo upstream over HTTP): dependencies that run by
 * themselves, each rule, retries that release skipped dependents, ticks that wait, groups without a schedule, the
 * demo groups' chain, JPX holidays and a catch-up over more than a day. Every date is explicit (or today's, where the
 * test is about today), and groups that are not about holidays follow no market calendar: any day will do.
 */
let sandbox: Sandbox;
let request: ReturnType<typeof adminClient>;
let schedules: ReturnType<typeof scheduleInspector>;
const lines: string[] = [];
const dayMs = 86_400_000;

beforeAll(async () => {
  // The demo groups are seeded as `npm start` seeds them; a short market keeps their daily bars small.
  sandbox = await startDemoSandbox({ seedDemoGroups: true, demoOptions: { listedCodeCount: 12 } }, lines);
  request = adminClient(sandbox);
  schedules = scheduleInspector(sandbox);
});

afterAll(async () => {
  await sandbox?.stop();
});

beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(lines.join('\n'))));

const runPath = (runId: string): string => `/runs/${encodeURIComponent(runId)}`;
const settledStatuses = new Set(['succeeded', 'partially_failed', 'failed', 'skipped', 'missed']);

/** One TOPIX job for the business date: one upstream request, on its own path. */
function aTopixGroup(id: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: id,
    dataSource: 'jquants',
    dataset: 'jquants.indices.topix.daily',
    schedule: '0 18 * * *',
    calendar: 'none',
    parametersTemplate: { from: '{{businessDate}}', to: '{{businessDate}}' },
    ...fields,
  };
}

async function createGroup(group: Record<string, unknown>): Promise<void> {
  const created = await request('POST', '/groups', group);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}

async function runNow(groupId: string, businessDate: string): Promise<string> {
  const started = await request('POST', `/groups/${groupId}/runs`, { businessDate });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return started.body.runId;
}

async function runsOf(groupId: string) {
  const listed = await request('GET', `/groups/${groupId}/runs`);
  expect(listed.status, JSON.stringify(listed.body)).toBe(200);
  return listed.body.runs as { runId: string; status: string; [key: string]: unknown }[];
}

/** Waits until the run exists and has settled (finished, skipped or missed). */
function settledRun(runId: string, timeoutMs = 30_000) {
  return eventually(async () => {
    const run = await request('GET', runPath(runId));
    return run.status === 200 && settledStatuses.has(run.body.status) ? run.body : undefined;
  }, timeoutMs);
}

/** Sets a group's `updatedAt` in its table, as if its schedule had stood unchanged since then. */
async function backdate(groupId: string, updatedAt: string): Promise<void> {
  const store = new DynamoDbJobGroupStore({
    client: createDocumentClient(),
    tableName: sandbox.environment[jobGroupsTable.envVar] ?? '',
  });
  const group = await store.get(groupId);
  if (group === undefined) throw new Error(`no group ${groupId}`);
  await store.update({ ...group, updatedAt }, group.version);
}

describe('orchestration through the sandbox', () => {
  it('runs the demo daily bars by themselves once the calendar and the listed issues have finished', async () => {
    const upstream = await Promise.all(
      ['demo-calendar', 'demo-master'].map(async (groupId) => {
        const [run] = await eventually(async () => {
          const runs = await runsOf(groupId);
          return runs.length > 0 ? runs : undefined;
        });
        return finishedRun(request, run?.runId ?? '');
      }),
    );
    for (const run of upstream) expect(run.status, run.runId).toBe('succeeded');
    const businessDate = upstream[0].businessDate;
    const bars = await finishedRun(request, dependencyRunId('demo-daily-bars', businessDate));
    expect(bars).toMatchObject({ trigger: 'dependency', businessDate, status: 'succeeded' });
    expect(bars.counters.total).toBeGreaterThan(1);
    for (const run of upstream) expect(bars.plannedAt > run.finishedAt, run.runId).toBe(true);
    expect(await runsOf('demo-daily-bars')).toHaveLength(1);
    // It has no schedule of its own; its upstream groups have theirs.
    await eventually(() => schedules.get('demo-master'));
    expect(await schedules.get('demo-daily-bars')).toBeUndefined();
  });

  it('runs a group without a schedule after each upstream run, manual or scheduled, once per date', async () => {
    await createGroup(aTopixGroup('chain-up'));
    await createGroup(aTopixGroup('chain-down', { schedule: null, dependsOn: ['chain-up'] }));
    expect((await finishedRun(request, await runNow('chain-up', '2026-11-02'))).status).toBe('succeeded');
    expect(await finishedRun(request, dependencyRunId('chain-down', '2026-11-02'))).toMatchObject({
      trigger: 'dependency',
      businessDate: '2026-11-02',
      status: 'succeeded',
    });
    // The upstream runs again for the same date: the dependent's run of that date stands.
    expect((await finishedRun(request, await runNow('chain-up', '2026-11-02'))).status).toBe('succeeded');
    // A scheduled tick of the upstream (18:00 in Tokyo) is followed the same way.
    await sandbox.deliverTick('chain-up', '2026-11-03T09:00:00.000Z');
    expect((await finishedRun(request, scheduledRunId('chain-up', '2026-11-03T09:00:00.000Z'))).status).toBe(
      'succeeded',
    );
    expect(await finishedRun(request, dependencyRunId('chain-down', '2026-11-03'))).toMatchObject({
      trigger: 'dependency',
      status: 'succeeded',
    });
    const runs = await runsOf('chain-down');
    expect(runs.map((run) => run.runId).sort()).toEqual([
      dependencyRunId('chain-down', '2026-11-02'),
      dependencyRunId('chain-down', '2026-11-03'),
    ]);
  });

  describe('over an upstream run with one job of two failed', () => {
    const date = '2026-11-10';
    let upstreamRunId: string;

    it('runs the dependents whose rule it meets and skips the others, naming the upstream run', async () => {
      const codes = (sandbox.demoUpstream?.codes ?? []).slice(0, 2);
      // A range per code: one request each, and a permanent failure fails only its own job.
      await createGroup({
        id: 'rules-up',
        name: 'rules-up',
        dataSource: 'jquants',
        dataset: 'jquants.equities.bars.daily',
        schedule: '0 18 * * *',
        calendar: 'none',
        maxAttempts: 1,
        parametersTemplate: { code: { $each: codes }, from: '2026-11-02', to: '2026-11-06' },
      });
      const rules = {
        'rules-finished': 'all-finished',
        'rules-half': { minSucceededRatio: 0.5 },
        'rules-most': { minSucceededRatio: 0.75 },
        'rules-succeeded': undefined,
      };
      for (const [id, dependencyRule] of Object.entries(rules)) {
        await createGroup(
          aTopixGroup(id, { schedule: null, dependsOn: ['rules-up'], ...(dependencyRule && { dependencyRule }) }),
        );
      }
      sandbox.demoUpstream?.injectFault({ kind: 'forbidden', pathPrefix: '/equities/bars/daily', count: 1 });
      try {
        upstreamRunId = await runNow('rules-up', date);
        const upstream = await finishedRun(request, upstreamRunId);
        expect(upstream).toMatchObject({ status: 'partially_failed', counters: { total: 2, succeeded: 1, failed: 1 } });
      } finally {
        sandbox.demoUpstream?.clearFaults();
      }
      const outcomes = await Promise.all(Object.keys(rules).map((id) => settledRun(dependencyRunId(id, date))));
      const byGroup = Object.fromEntries(outcomes.map((run) => [run.groupId, run]));
      expect(byGroup['rules-finished']).toMatchObject({ status: 'succeeded', trigger: 'dependency' });
      expect(byGroup['rules-half']).toMatchObject({ status: 'succeeded', trigger: 'dependency' });
      expect(byGroup['rules-most']).toMatchObject({ status: 'skipped', blockedBy: 'dependencies' });
      expect(byGroup['rules-most'].reason).toBe(
        `upstream rules-up run ${upstreamRunId} succeeded 1 of 2 jobs, under the 0.75 required`,
      );
      expect(byGroup['rules-succeeded']).toMatchObject({ status: 'skipped', blockedBy: 'dependencies' });
      expect(byGroup['rules-succeeded'].reason).toBe(`upstream rules-up run ${upstreamRunId} partially_failed`);
    });

    it('runs the skipped dependents once a retry of the upstream run succeeds', async () => {
      const retried = await request('POST', `${runPath(upstreamRunId)}/retry`);
      expect(retried.status, JSON.stringify(retried.body)).toBe(202);
      expect((await finishedRun(request, upstreamRunId)).status).toBe('succeeded');
      for (const id of ['rules-most', 'rules-succeeded']) {
        const run = await eventually(async () => {
          const current = (await request('GET', runPath(dependencyRunId(id, date)))).body;
          return current.status === 'succeeded' ? current : undefined;
        }, 30_000);
        expect(run).toMatchObject({ trigger: 'dependency', businessDate: date, counters: { total: 1, succeeded: 1 } });
      }
      // The ones that had run already are left as they were: one run per date.
      for (const id of ['rules-finished', 'rules-half']) expect(await runsOf(id)).toHaveLength(1);
    });
  });

  it('holds a scheduled dependent tick waiting until its upstream run of the date has finished', async () => {
    await createGroup(aTopixGroup('tick-up', { timezone: 'UTC' }));
    await createGroup(aTopixGroup('tick-down', { schedule: '30 18 * * *', timezone: 'UTC', dependsOn: ['tick-up'] }));
    const tick = '2026-11-12T18:30:00.000Z';
    await sandbox.deliverTick('tick-down', tick);
    const runId = scheduledRunId('tick-down', tick);
    expect((await request('GET', runPath(runId))).body).toMatchObject({
      status: 'waiting',
      trigger: 'scheduled',
      blockedBy: 'dependencies',
      reason: 'waiting for tick-up',
    });
    // The watchdog judges it again and leaves it waiting: nothing upstream has finished.
    await sandbox.reconcile();
    expect((await request('GET', runPath(runId))).body.status).toBe('waiting');
    await sandbox.deliverTick('tick-up', '2026-11-12T18:00:00.000Z');
    expect(await finishedRun(request, runId)).toMatchObject({
      status: 'succeeded',
      trigger: 'scheduled',
      businessDate: '2026-11-12',
    });
    expect(await runsOf('tick-down')).toHaveLength(1);
  });

  it('records a fire time on a JPX holiday skipped as market-holiday (its dependent too), and fetches on the next trading day', async () => {
    await createGroup({
      id: 'holiday-calendar',
      name: 'holiday-calendar',
      dataSource: 'jquants',
      dataset: 'jquants.markets.calendar',
      schedule: '0 8 * * *',
      parametersTemplate: { from: '2026-11-01', to: '2026-11-30' },
    });
    expect((await finishedRun(request, await runNow('holiday-calendar', '2026-11-01'))).status).toBe('succeeded');
    // J-Quants datasets follow the JPX calendar unless told otherwise.
    await createGroup(aTopixGroup('holiday-topix', { schedule: '0 17 * * 1-5', calendar: undefined }));
    // A dependent without a schedule is skipped for the same reason.
    await createGroup(aTopixGroup('holiday-down', { schedule: null, dependsOn: ['holiday-topix'] }));
    const requestsFor = (date: string) =>
      (sandbox.demoUpstream?.requests ?? []).filter(
        (sent) => sent.path.endsWith('/indices/bars/daily/topix') && sent.query.from === date,
      ).length;
    // Monday 2026-11-23, Labour Thanksgiving Day, 17:00 in Tokyo.
    const holiday = '2026-11-23T08:00:00.000Z';
    await sandbox.deliverTick('holiday-topix', holiday);
    expect((await request('GET', runPath(scheduledRunId('holiday-topix', holiday)))).body).toMatchObject({
      status: 'skipped',
      reason: 'market-holiday',
      businessDate: '2026-11-23',
      trigger: 'scheduled',
    });
    expect(await settledRun(dependencyRunId('holiday-down', '2026-11-23'))).toMatchObject({
      status: 'skipped',
      reason: 'market-holiday',
    });
    const nextDay = '2026-11-24T08:00:00.000Z';
    await sandbox.deliverTick('holiday-topix', nextDay);
    expect((await finishedRun(request, scheduledRunId('holiday-topix', nextDay))).status).toBe('succeeded');
    expect([requestsFor('2026-11-23'), requestsFor('2026-11-24')]).toEqual([0, 1]);
  });

  it('runs the dependents of a backfill in its lane, one per business date, and counts them in its progress', async () => {
    const codes = (sandbox.demoUpstream?.codes ?? []).slice(0, 2);
    await createGroup({
      id: 'backfilled',
      name: 'backfilled',
      dataSource: 'jquants',
      dataset: 'jquants.equities.bars.daily',
      schedule: '0 18 * * 1-5',
      parametersTemplate: { code: { $each: codes }, date: '{{businessDate}}' },
    });
    await createGroup(aTopixGroup('backfilled-down', { schedule: null, dependsOn: ['backfilled'] }));
    // Tuesday to Friday after Labour Thanksgiving Day: four business dates.
    const dates = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'];
    const started = await request('POST', '/groups/backfilled/backfill', { from: dates[0], to: dates.at(-1) });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const backfillId: string = started.body.backfillId;
    const backfill = await eventually(async () => {
      const current = (await request('GET', `/backfills/${encodeURIComponent(backfillId)}`)).body;
      return current.finishedAt === undefined ? undefined : current;
    }, 60_000);
    // Two codes a date and one dependent job a date: the dependents' jobs count in with the backfill's own.
    expect(backfill).toMatchObject({
      status: 'succeeded',
      progress: {
        dates: { total: 4, done: 4, failed: 0 },
        dependents: { done: 4, running: 0, failed: 0 },
        jobs: { total: 12, succeeded: 12, failed: 0 },
      },
    });
    const runs = await runsOf('backfilled-down');
    expect(runs.map((run) => run.runId).sort()).toEqual(
      dates.map((date) => `${backfillRunId(backfillId, date)}.backfilled-down`),
    );
    for (const run of runs) expect(run).toMatchObject({ trigger: 'backfill', backfillId, status: 'succeeded' });
  });

  it('catches up every tick of a P3D window after an outage, and never judges a group without a schedule', async () => {
    await createGroup(
      aTopixGroup('outage', { schedule: '0 0 * * *', timezone: 'UTC', catchUp: 'all', catchUpWindow: 'P3D' }),
    );
    await createGroup(aTopixGroup('unscheduled', { schedule: null, catchUp: 'all', catchUpWindow: 'P3D' }));
    // Both have stood unchanged for four days, and no tick of the schedule has reached the dispatcher since.
    const now = Date.now();
    const longAgo = new Date(now - 4 * dayMs).toISOString();
    await backdate('outage', longAgo);
    await backdate('unscheduled', longAgo);
    await eventually(() => schedules.get('outage'));
    await sandbox.reconcile();

    // The midnights (UTC) of the window, those older than a day among them.
    const midnight = Math.floor(now / dayMs) * dayMs;
    const expected = [3, 2, 1, 0]
      .map((days) => midnight - days * dayMs)
      .filter((tick) => tick > now - 3 * dayMs + 60_000 && tick < now - 16 * 60_000)
      .map((tick) => new Date(tick).toISOString());
    expect(expected.filter((tick) => Date.parse(tick) < now - dayMs).length).toBeGreaterThan(0);
    for (const tick of expected) {
      expect(await finishedRun(request, scheduledRunId('outage', tick)), tick).toMatchObject({
        status: 'succeeded',
        trigger: 'scheduled',
        businessDate: tick.slice(0, 10),
      });
    }
    // None of them was judged missed: a window of three days reaches back past the default one of a day.
    for (const run of await runsOf('outage'))
      expect(run).toMatchObject({ trigger: 'scheduled', status: expect.not.stringMatching(/missed/) });

    expect(await runsOf('unscheduled')).toEqual([]);
    expect(await schedules.get('unscheduled')).toBeUndefined();
    expect((await request('GET', '/groups/unscheduled')).body).toMatchObject({ schedule: null });
  });
});
