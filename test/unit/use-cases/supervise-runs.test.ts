import { describe, expect, it, vi } from 'vitest';
import { dateJobId } from '#shared/domain/date-jobs.ts';
import { stuckDispatchAfterMs } from '#shared/domain/run-transitions.ts';
import { overdueMessageAfterMs } from '#shared/use-cases/supervise-runs.ts';
import { aDailyBarRow, aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlane } from '#test/fixtures/data-plane-harness.ts';

const tick = { groupId: 'daily-bars', scheduledTime: '2026-11-27T08:30:00Z' };
const runId = 'daily-bars.20261127T083000Z';
const dateJob = dateJobId('2026-11-27');
const codes = ['72030', '67580', '130A0'];

async function aPlane(overrides: Parameters<typeof aJobGroup>[0] = {}) {
  const plane = aDataPlane();
  await plane.groupStore.create(
    aJobGroup({ parametersTemplate: { code: { $each: codes }, date: '{{businessDate}}' }, ...overrides }),
  );
  plane.dataSource.rowsFor = (params) =>
    codes
      .filter((code) => params.code === undefined || params.code === code)
      .map((code) => aDailyBarRow(code, '2026-11-27'));
  return plane;
}

describe('the watchdog of runs', () => {
  it('resumes a planned dispatch from the ledger, even once its group is deleted', async () => {
    const plane = await aPlane();
    const send = vi.spyOn(plane.queue, 'send').mockRejectedValueOnce(new Error('the dispatcher timed out'));
    await expect(plane.dispatch(tick)).rejects.toThrow('timed out');
    send.mockRestore();
    expect(await plane.runLedger.getRun(runId)).toMatchObject({ status: 'dispatching', counters: { total: 3 } });
    await plane.groupStore.delete('daily-bars');
    plane.clock.advance(stuckDispatchAfterMs + 1_000);
    expect((await plane.supervise()).resumed).toEqual([runId]);
    expect(plane.queue.messages).toHaveLength(1);
    await plane.work();
    expect(await plane.runLedger.getRun(runId)).toMatchObject({ status: 'succeeded', counters: { succeeded: 3 } });
  });

  it('fails a dispatch that died before its jobs were planned once its group is gone', async () => {
    const plane = await aPlane();
    vi.spyOn(plane.runLedger, 'addJobs').mockRejectedValueOnce(new Error('the dispatcher crashed'));
    await expect(plane.dispatch(tick)).rejects.toThrow('crashed');
    await plane.groupStore.delete('daily-bars');
    plane.clock.advance(stuckDispatchAfterMs + 1_000);
    await plane.supervise();
    expect(await plane.runLedger.getRun(runId)).toMatchObject({
      status: 'failed',
      reason: 'its group was deleted before it was planned',
    });
  });

  it('times a run out through its unfinished jobs, and the run ends failed once', async () => {
    const plane = await aPlane({ runDeadline: 'PT1H' });
    await plane.dispatch(tick);
    plane.queue.drain();
    plane.clock.advance(61 * 60_000);
    expect((await plane.supervise()).timedOut).toEqual([runId]);
    expect(await plane.runLedger.getRun(runId)).toMatchObject({
      status: 'failed',
      reason: 'timed out',
      counters: { total: 3, failed: 3, dead: 0 },
    });
    const jobs = (await plane.runLedger.listJobs(runId)).items;
    expect(jobs.map((job) => job.lastError?.code)).toEqual(['run_timed_out', 'run_timed_out', 'run_timed_out']);
    expect((await plane.supervise()).timedOut).toEqual([]);
  });

  it('fails a job the queue dead-lettered only for its current message, never a stale one', async () => {
    const plane = await aPlane();
    await plane.dispatch(tick);
    const [sent] = plane.queue.drain();
    const body = JSON.stringify(sent);
    // The message was lost and sent again by the watchdog; the first one then reached the queue's receive limit.
    plane.clock.advance(overdueMessageAfterMs + 60_000);
    expect((await plane.supervise()).resent).toBe(1);
    plane.deadLetters.moveFromJobQueue(body, '2026-11-27T08:30:00.000Z');
    expect((await plane.supervise()).deadLettered).toBe(0);
    expect((await plane.runLedger.getJob(runId, dateJob))?.status).toBe('queued');
    // The message sent again reaches it too: now the job fails, dead-lettered, for a redrive.
    plane.deadLetters.moveFromJobQueue(body, plane.clock.now().toISOString());
    expect((await plane.supervise()).deadLettered).toBe(1);
    expect(await plane.runLedger.getRun(runId)).toMatchObject({ status: 'failed', counters: { failed: 3, dead: 3 } });
  });
});
