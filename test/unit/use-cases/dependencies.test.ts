import { describe, expect, it } from 'vitest';
import { addDays, isWeekend } from '#shared/domain/calendar-date.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { dependencyRunId, scheduledRunId } from '#shared/domain/run.ts';
import { PermanentUpstreamError } from '#shared/ports/upstream-errors.ts';
import { checkDependents, requestLostDependentChecks } from '#shared/use-cases/check-dependents.ts';
import { retryRun } from '#shared/use-cases/retry-run.ts';
import { aDailyBarRow, aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlane } from '#test/fixtures/data-plane-harness.ts';

const date = '2026-11-27';
const tick = '2026-11-27T08:30:00.000Z';

/** Prices of two codes, and an analysis group that depends on them (no schedule unless given). */
async function aChain(analysis: Partial<JobGroup> = {}) {
  const plane = aDataPlane();
  await plane.settingsStore.put({ id: 'jquants', plan: 'premium', updatedAt: tick, version: 1 }, 0);
  await plane.groupStore.create(
    aJobGroup({ id: 'prices', parametersTemplate: { code: { $each: ['72030', '67580'] }, date: '{{businessDate}}' } }),
  );
  await plane.groupStore.create(
    aJobGroup({
      id: 'analysis',
      schedule: null,
      dependsOn: ['prices'],
      parametersTemplate: { code: '72030', date: '{{businessDate}}' },
      ...analysis,
    }),
  );
  plane.dataSource.rowsFor = (params) => {
    if (params.code === undefined && params.date === undefined) {
      const rows: Record<string, unknown>[] = [];
      for (let day = String(params.from); day <= String(params.to); day = addDays(day, 1)) {
        rows.push({ date: day, holidayDivision: isWeekend(day) || day === '2026-11-23' ? '0' : '1' });
      }
      return rows;
    }
    return ['72030', '67580']
      .filter((code) => params.code === undefined || params.code === code)
      .map((code) => aDailyBarRow(code, String(params.date)));
  };
  /** Works the queue and takes the steps asked for until nothing is left. */
  const settle = async (): Promise<void> => {
    for (let round = 0; round < 50; round++) {
      const waiting = plane.queue.messages.length;
      await plane.work();
      if ((await plane.stepBackfills()) === 0 && waiting === 0) return;
    }
    throw new Error('never settled');
  };
  const runOf = (runId: string) => plane.runLedger.getRun(runId);
  return { ...plane, settle, runOf };
}

describe('dependencies', () => {
  it('judges every dependent even when one fails, then fails the step so that it comes back', async () => {
    const plane = await aChain();
    await plane.groupStore.create(
      aJobGroup({
        id: 'report',
        schedule: null,
        dependsOn: ['prices'],
        parametersTemplate: { code: '67580', date: '{{businessDate}}' },
      }),
    );
    await plane.dispatch({ groupId: 'prices', scheduledTime: tick });
    for (let round = 0; round < 10 && plane.queue.messages.length > 0; round++) await plane.work();
    const [check] = plane.steps.takeDependents();
    // The ledger refuses the first claim of the analysis run (a throttle, say).
    const claimRun = plane.runLedger.claimRun.bind(plane.runLedger);
    let refused = false;
    plane.runLedger.claimRun = async (run) => {
      if (run.groupId === 'analysis' && !refused) {
        refused = true;
        throw new Error('throttled');
      }
      return claimRun(run);
    };
    await expect(checkDependents(check as NonNullable<typeof check>, plane.dispatchDeps)).rejects.toThrow(
      '1 dependent(s) could not be judged',
    );
    expect(await plane.runOf(dependencyRunId('report', date))).toBeDefined();
    expect(await plane.runOf(dependencyRunId('analysis', date))).toBeUndefined();
    // The step comes back, and this time both are judged.
    await checkDependents(check as NonNullable<typeof check>, plane.dispatchDeps);
    await plane.settle();
    expect(await plane.runOf(dependencyRunId('analysis', date))).toMatchObject({ status: 'succeeded' });
  });

  it('asks again, from the reconciler, for the dependents of a run whose step was lost, and only then', async () => {
    const plane = await aChain();
    await plane.dispatch({ groupId: 'prices', scheduledTime: tick });
    // The worker settles the upstream run, but the step it asks for is lost.
    for (let round = 0; round < 10 && plane.queue.messages.length > 0; round++) await plane.work();
    expect(await plane.runOf(scheduledRunId('prices', tick))).toMatchObject({ status: 'succeeded' });
    expect(plane.steps.takeDependents()).toEqual([{ groupId: 'prices', businessDate: date }]);
    expect(await plane.runOf(dependencyRunId('analysis', date))).toBeUndefined();

    const repair = () => requestLostDependentChecks(plane.dispatchDeps);
    expect(await repair()).toBe(1);
    await plane.settle();
    expect(await plane.runOf(dependencyRunId('analysis', date))).toMatchObject({ status: 'succeeded' });
    // Nothing is missing any more: nothing is asked.
    expect(await repair()).toBe(0);
  });

  it('runs a group without a schedule by itself once its upstream run has succeeded, once per date', async () => {
    const plane = await aChain();
    await plane.dispatch({ groupId: 'prices', scheduledTime: tick });
    await plane.settle();
    expect(await plane.runOf(dependencyRunId('analysis', date))).toMatchObject({
      trigger: 'dependency',
      businessDate: date,
      status: 'succeeded',
    });
    // A manual run of the upstream for the same date judges the dependent again: its run of the date stands.
    await plane.dispatch({ groupId: 'prices', scheduledTime: tick, trigger: 'manual', businessDate: date });
    await plane.settle();
    const runs = (await plane.runLedger.listRuns('analysis')).items;
    expect(runs).toHaveLength(1);
  });

  it('skips the dependent when its upstream fails the rule, naming the upstream run, and runs it after a retry', async () => {
    const plane = await aChain();
    plane.dataSource.failWith = () =>
      new PermanentUpstreamError('HTTP 400', { status: 400, endpoint: '/equities/bars/daily' });
    await plane.dispatch({ groupId: 'prices', scheduledTime: tick });
    await plane.settle();
    const prices = scheduledRunId('prices', tick);
    expect(await plane.runOf(prices)).toMatchObject({ status: 'failed' });
    const skipped = await plane.runOf(dependencyRunId('analysis', date));
    expect(skipped).toMatchObject({ status: 'skipped', blockedBy: 'dependencies' });
    expect(skipped?.reason).toContain(`upstream prices run ${prices} failed`);
    // The upstream is retried and now succeeds: the dependent runs after all.
    plane.dataSource.failWith = undefined;
    await retryRun(prices, {
      ...plane,
      deadLetterStores: { jquants: plane.deadLetters, yahoo: plane.deadLetters },
      queues: { jquants: plane.queue, yahoo: plane.queue },
      log: silent,
    });
    await plane.settle();
    expect(await plane.runOf(prices)).toMatchObject({ status: 'succeeded' });
    expect(await plane.runOf(dependencyRunId('analysis', date))).toMatchObject({ status: 'succeeded' });
  });

  it('judges each rule: all-finished runs after a failure; a ratio runs at or above it and skips below', async () => {
    for (const [rule, expected] of [
      ['all-finished', 'succeeded'],
      [{ minSucceededRatio: 0.5 }, 'succeeded'],
      [{ minSucceededRatio: 0.75 }, 'skipped'],
      ['all-succeeded', 'skipped'],
    ] as const) {
      const plane = await aChain({ dependencyRule: rule });
      // One code of two fails: the upstream run ends partially failed, 1 of 2 jobs succeeded.
      plane.dataSource.rejectedFor = (params) =>
        params.code === undefined && params.date !== undefined ? [{ series: '67580', reason: 'bad row' }] : [];
      await plane.dispatch({ groupId: 'prices', scheduledTime: tick });
      await plane.settle();
      expect((await plane.runOf(scheduledRunId('prices', tick)))?.status, JSON.stringify(rule)).toBe(
        'partially_failed',
      );
      expect((await plane.runOf(dependencyRunId('analysis', date)))?.status, JSON.stringify(rule)).toBe(expected);
    }
  });

  it('waits on its tick for every upstream group, and runs once the last of them has finished', async () => {
    const plane = await aChain({ schedule: '30 17 * * 1-5', dependsOn: ['prices', 'master'] });
    await plane.groupStore.create(
      aJobGroup({ id: 'master', dataset: 'jquants.equities.master', parametersTemplate: { date: '{{businessDate}}' } }),
    );
    await plane.dispatch({ groupId: 'analysis', scheduledTime: tick });
    const analysis = scheduledRunId('analysis', tick);
    expect(await plane.runOf(analysis)).toMatchObject({ status: 'waiting', reason: 'waiting for prices, master' });
    await plane.dispatch({ groupId: 'prices', scheduledTime: tick });
    await plane.settle();
    expect(await plane.runOf(analysis)).toMatchObject({ status: 'waiting' });
    await plane.dispatch({ groupId: 'master', scheduledTime: tick });
    await plane.settle();
    expect(await plane.runOf(analysis)).toMatchObject({ status: 'succeeded', trigger: 'scheduled' });
  });

  it('fails a run that waited for its dependencies past its deadline', async () => {
    const plane = await aChain({ schedule: '30 17 * * 1-5', runDeadline: 'PT2H' });
    await plane.dispatch({ groupId: 'analysis', scheduledTime: tick });
    plane.clock.advance(3 * 3_600_000);
    await plane.supervise();
    expect(await plane.runOf(scheduledRunId('analysis', tick))).toMatchObject({
      status: 'failed',
      reason: 'timed out waiting for prices',
    });
  });

  it('skips a fire time on a JPX holiday as market-holiday, and its dependents for the same reason', async () => {
    const plane = await aChain();
    // The stored calendar knows 2026-11-23 (Labour Thanksgiving Day) is closed.
    await plane.marketData.upsertRows(
      (await import('#shared/datasets/registry.ts')).requireDataset('jquants.markets.calendar'),
      [{ date: '2026-11-23', holidayDivision: '0', fetchedAt: tick, runId: 'seed' }],
    );
    const holiday = '2026-11-23T08:30:00.000Z';
    const outcome = await plane.dispatch({ groupId: 'prices', scheduledTime: holiday });
    expect(outcome).toMatchObject({ outcome: 'skipped', run: { reason: 'market-holiday' } });
    await plane.settle();
    expect(await plane.runOf(dependencyRunId('analysis', '2026-11-23'))).toMatchObject({
      status: 'skipped',
      reason: 'market-holiday',
    });
    expect(plane.dataSource.calls).toEqual([]);
    // A group that follows no calendar fires that day.
    await plane.groupStore.create(
      aJobGroup({ id: 'everyday', calendar: 'none', parametersTemplate: { code: '72030', date: '{{businessDate}}' } }),
    );
    expect((await plane.dispatch({ groupId: 'everyday', scheduledTime: holiday })).outcome).toBe('dispatched');
  });
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };
