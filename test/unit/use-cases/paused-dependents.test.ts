import { describe, expect, it } from 'vitest';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { dependencyRunId, scheduledRunId } from '#shared/domain/run.ts';
import { aDailyBarRow, aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlane } from '#test/fixtures/data-plane-harness.ts';

const date = '2026-11-27';
const tick = '2026-11-27T08:30:00.000Z';
const pause = { reason: 'vendor outage', pausedAt: '2026-11-27T00:00:00.000Z' };

/** A prices group and an analysis group that depends on it (no schedule unless given). */
async function aChain(analysis: Partial<JobGroup> = {}) {
  const plane = aDataPlane();
  await plane.settingsStore.put({ id: 'jquants', plan: 'premium', updatedAt: tick, version: 1 }, 0);
  await plane.groupStore.create(
    aJobGroup({ id: 'prices', parametersTemplate: { code: '72030', date: '{{businessDate}}' } }),
  );
  await plane.groupStore.create(
    aJobGroup({
      id: 'analysis',
      schedule: null,
      dependsOn: ['prices'],
      parametersTemplate: { code: '67580', date: '{{businessDate}}' },
      ...analysis,
    }),
  );
  plane.dataSource.rowsFor = (params) => [aDailyBarRow(String(params.code ?? '72030'), String(params.date))];
  const settle = async (): Promise<void> => {
    for (let round = 0; round < 20; round++) {
      const waiting = plane.queue.messages.length;
      await plane.work();
      if ((await plane.stepBackfills()) === 0 && waiting === 0) return;
    }
    throw new Error('never settled');
  };
  return { ...plane, settle, runOf: (runId: string) => plane.runLedger.getRun(runId) };
}

describe('dependents of a paused or disabled group', () => {
  it('skips the run a paused group would start after its dependencies, with the pause reason', async () => {
    const plane = await aChain({ pause });
    await plane.dispatch({ groupId: 'prices', scheduledTime: tick });
    await plane.settle();
    expect(await plane.runOf(scheduledRunId('prices', tick))).toMatchObject({ status: 'succeeded' });
    expect(await plane.runOf(dependencyRunId('analysis', date))).toMatchObject({
      trigger: 'dependency',
      status: 'skipped',
      reason: 'group paused: vendor outage',
    });
    expect(plane.dataSource.calls.filter((call) => call.params.code === '67580')).toEqual([]);
  });

  it('skips the run a disabled group would start after its dependencies', async () => {
    const plane = await aChain({ enabled: false });
    await plane.dispatch({ groupId: 'prices', scheduledTime: tick });
    await plane.settle();
    expect(await plane.runOf(dependencyRunId('analysis', date))).toMatchObject({
      status: 'skipped',
      reason: 'group disabled',
    });
  });

  it('does not start a tick that waited for its dependencies once its group was paused meanwhile', async () => {
    const plane = await aChain({ schedule: '30 17 * * 1-5' });
    await plane.dispatch({ groupId: 'analysis', scheduledTime: tick });
    const analysis = scheduledRunId('analysis', tick);
    expect(await plane.runOf(analysis)).toMatchObject({ status: 'waiting' });
    const group = await plane.groupStore.get('analysis');
    if (group === undefined) throw new Error('no analysis group');
    await plane.groupStore.update({ ...group, pause, version: group.version + 1 }, group.version);
    await plane.dispatch({ groupId: 'prices', scheduledTime: tick });
    await plane.settle();
    expect(await plane.runOf(analysis)).toMatchObject({ status: 'skipped', reason: 'group paused: vendor outage' });
    expect(plane.dataSource.calls.filter((call) => call.params.code === '67580')).toEqual([]);
  });

  it('still runs an operator run-now of a paused group', async () => {
    const plane = await aChain({ pause });
    const outcome = await plane.dispatch({
      groupId: 'analysis',
      scheduledTime: tick,
      trigger: 'manual',
      businessDate: date,
    });
    expect(outcome.outcome).toBe('dispatched');
  });
});
