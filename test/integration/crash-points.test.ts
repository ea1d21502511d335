import { describe, expect, it } from 'vitest';
import { SqsDeadLetterStore } from '#shared/adapters/sqs-dead-letter-store.ts';
import { requireDataset } from '#shared/datasets/registry.ts';
import { dateJobId } from '#shared/domain/date-jobs.ts';
import type { ParametersTemplate } from '#shared/domain/job-group.ts';
import { stuckDispatchAfterMs } from '#shared/domain/run-transitions.ts';
import { silentLog } from '#shared/observability/logger.ts';
import type { JobQueue } from '#shared/ports/job-queue.ts';
import { retryRun } from '#shared/use-cases/retry-run.ts';
import { overdueMessageAfterMs } from '#shared/use-cases/supervise-runs.ts';
import { RecordingStepRequests } from '#test/fakes/recording-step-requests.ts';
import { aDailyBarRow, aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlaneOnMoto, Crash } from '#test/fixtures/moto-data-plane.ts';

/**
 * Every crash point of a run, injected on moto — the process dies right before the named write and writes nothing
 * more — and the watchdog then bringing the run to its true end: every job finished, every row stored once, the
 * counters right.
 */
const codes = ['72030', '67580', '130A0'];
const bars = requireDataset('jquants.equities.bars.daily');
const tick = { groupId: 'bars', scheduledTime: '2026-11-27T08:30:00.000Z' };
const runId = 'bars.20261127T083000Z';
/** Past a crashed attempt's lease (the invocation's end): its message's next delivery takes the jobs over. */
const pastTheLease = 60_000;

async function aPlane(
  template: ParametersTemplate = { code: { $each: codes }, date: '{{businessDate}}' },
  maxAttempts = 5,
) {
  const plane = await aDataPlaneOnMoto({ maxReceiveCount: 3 });
  await plane.ports.groupStore.create(aJobGroup({ id: 'bars', parametersTemplate: template, maxAttempts }));
  plane.dataSource.rowsFor = (params) =>
    codes
      .filter((code) => params.code === undefined || params.code === code)
      .map((code) => aDailyBarRow(code, '2026-11-27'));
  return plane;
}

type Plane = Awaited<ReturnType<typeof aPlane>>;

async function expectTrueEnd(plane: Plane, id: string): Promise<void> {
  expect(await plane.ledger.getRun(id)).toMatchObject({
    status: 'succeeded',
    counters: { total: codes.length, succeeded: codes.length, failed: 0, dead: 0 },
  });
  const stored = await plane.ports.marketData.queryRows(bars, { date: '2026-11-27', limit: 100 });
  expect(stored.items.map((row) => row.code).sort()).toEqual([...codes].sort());
}

/** The redrive and retry ports of the admin function, sending through `queue`. */
function adminDeps(plane: Plane, queue: JobQueue = plane.queue) {
  const deadLetterStore = new SqsDeadLetterStore({
    client: plane.sqs,
    queueUrl: plane.deadLetterUrl,
    peekHoldSeconds: 1,
  });
  return {
    deadLetterStores: { jquants: deadLetterStore, yahoo: deadLetterStore },
    queues: { jquants: queue, yahoo: queue },
    runLedger: plane.ledger,
    steps: new RecordingStepRequests(),
    clock: plane.clock,
    log: silentLog,
  };
}

const updateOf = (input: Record<string, unknown>): string => String(input.UpdateExpression ?? '');
const keyOf = (input: Record<string, unknown>): string => JSON.stringify(input.Key ?? {});

describe('crash points of a run, repaired by the watchdog on moto', () => {
  it('resumes a scheduled dispatch that died between claiming its run and storing its jobs', async () => {
    const plane = await aPlane();
    plane.crashAt((command) => command === 'BatchWriteItemCommand');
    await expect(plane.dispatch(tick)).rejects.toThrow(Crash);
    plane.restart();
    expect(await plane.ledger.getRun(runId)).toMatchObject({ status: 'dispatching' });
    expect((await plane.supervise()).resumed).toEqual([]);
    plane.clock.advance(stuckDispatchAfterMs + 1000);
    expect((await plane.supervise()).resumed).toEqual([runId]);
    await plane.work();
    await expectTrueEnd(plane, runId);
  });

  it('resumes a manual run whose run-now died after sending its jobs, before the run was running', async () => {
    const plane = await aPlane();
    plane.crashAt((command, input) => command === 'UpdateItemCommand' && JSON.stringify(input).includes('runningAt'));
    await expect(plane.dispatch({ ...tick, trigger: 'manual' })).rejects.toThrow(Crash);
    plane.restart();
    const [manual] = (await plane.ledger.listOpenRuns()).items;
    expect(manual).toMatchObject({ trigger: 'manual', status: 'dispatching' });
    plane.clock.advance(stuckDispatchAfterMs + 1000);
    expect((await plane.supervise()).resumed).toEqual([manual?.runId]);
    await plane.work();
    await expectTrueEnd(plane, manual?.runId ?? '');
  });

  it('finishes a run whose worker died between recording its jobs and counting them on the run', async () => {
    const plane = await aPlane();
    await plane.dispatch(tick);
    plane.crashAt((command, input) => command === 'UpdateItemCommand' && updateOf(input).includes('ADD counters'));
    await plane.work(1);
    plane.restart();
    expect(await plane.ledger.getRun(runId)).toMatchObject({ status: 'running', counters: { succeeded: 0 } });
    plane.clock.advance(pastTheLease);
    await plane.work();
    expect((await plane.ledger.getRun(runId))?.status).toBe('running');
    expect((await plane.supervise()).finished).toEqual([runId]);
    await expectTrueEnd(plane, runId);
  });

  it('takes over the jobs of a worker that died between storing rows and recording them, once its lease lapses', async () => {
    const plane = await aPlane();
    await plane.dispatch(tick);
    plane.crashAt(
      (command, input) =>
        command === 'UpdateItemCommand' && keyOf(input).includes('JOB#') && JSON.stringify(input).includes('succeeded'),
    );
    await plane.work(1);
    plane.restart();
    // Its members' outcomes were recorded; the date job's was not.
    expect(await plane.ledger.getJob(runId, dateJobId('2026-11-27'))).toMatchObject({ status: 'running' });
    plane.clock.advance(pastTheLease);
    await plane.work();
    await expectTrueEnd(plane, runId);
    const jobs = (await plane.ledger.listJobs(runId)).items;
    expect(jobs.every((job) => job.attemptsMade === 2 && job.status === 'succeeded')).toBe(true);
    // The second attempt found every member recorded, and fetched nothing again.
    expect((await plane.ledger.getRun(runId))?.upstreamRequests).toBe(1);
  });

  it('runs again a job whose invocation was frozen at its timeout or killed out of memory', async () => {
    const plane = await aPlane({ code: '72030', from: '2026-11-20', to: '2026-11-27' });
    await plane.dispatch(tick);
    plane.dataSource.failWith = () => {
      plane.die();
      return new Crash('frozen mid-fetch');
    };
    await plane.work(1);
    plane.restart();
    plane.dataSource.failWith = undefined;
    plane.clock.advance(pastTheLease);
    await plane.work();
    const [job] = (await plane.ledger.listJobs(runId)).items;
    expect(job).toMatchObject({ status: 'succeeded', attemptsMade: 2 });
    expect(await plane.ledger.getRun(runId)).toMatchObject({ status: 'succeeded', counters: { succeeded: 1 } });
  });

  it('fails the job whose message the queue dead-lettered at its receive limit, and a redrive runs it', async () => {
    const plane = await aPlane({ code: '72030', date: '{{businessDate}}' });
    await plane.dispatch(tick);
    // Delivered and never settled (the worker kept dying), until the queue's redrive policy moves it (limit 3).
    for (let delivery = 0; delivery < 3; delivery++) expect(await plane.receive(0)).toHaveLength(1);
    expect(await plane.receive(0)).toEqual([]);
    expect((await plane.supervise()).deadLettered).toBe(1);
    const [job] = (await plane.ledger.listJobs(runId)).items;
    expect(job).toMatchObject({ status: 'failed', deadLettered: true, lastError: { code: 'receive_limit_exceeded' } });
    expect(job?.lastError?.message).toContain('redrive');
    expect(await plane.ledger.getRun(runId)).toMatchObject({ status: 'failed', counters: { failed: 1, dead: 1 } });
    await retryRun(runId, adminDeps(plane));
    await plane.work();
    expect(await plane.ledger.getRun(runId)).toMatchObject({
      status: 'succeeded',
      counters: { succeeded: 1, dead: 0 },
    });
  });

  it('sends again the jobs of a run retry that died between reopening them and sending them', async () => {
    const plane = await aPlane(undefined, 1);
    plane.dataSource.failWith = () => new Error('the upstream is down');
    await plane.dispatch(tick);
    await plane.work();
    expect((await plane.ledger.getRun(runId))?.status).toBe('failed');
    plane.dataSource.failWith = undefined;
    const dying: JobQueue = {
      send: async () => {
        throw new Crash('the admin function timed out before the send');
      },
    };
    await expect(retryRun(runId, adminDeps(plane, dying))).rejects.toThrow(Crash);
    expect((await plane.ledger.listJobs(runId, { status: 'queued' })).items).toHaveLength(codes.length);
    expect((await plane.supervise()).resent).toBe(0);
    plane.clock.advance(overdueMessageAfterMs + 60_000);
    // One message: the date job fetches the date for its three codes.
    expect((await plane.supervise()).resent).toBe(1);
    await plane.work();
    await expectTrueEnd(plane, runId);
  });
});
