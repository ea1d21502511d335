import { beforeEach, describe, expect, it } from 'vitest';
import { dateJobId } from '#shared/domain/date-jobs.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { JobEvent } from '#shared/domain/job-transitions.ts';
import { type DateJobMember, type Job, queuedJob } from '#shared/domain/run.ts';
import type { JobUpdate, RunLedger } from '#shared/ports/run-ledger.ts';
import { aJob, aRun } from '#test/fixtures/builders.ts';

const runId = aRun().runId;
const at = '2026-11-27T08:31:00.000Z';
const later = '2026-11-27T08:32:00.000Z';
const leaseEnd = '2026-11-27T08:31:30.000Z';
const afterLease = '2026-11-27T08:35:00.000Z';
const deadline = '2026-11-27T14:31:00.000Z';
const forbidden = { code: 'upstream_credentials', message: 'HTTP 403' };

const start = (holder: string, when = at): JobEvent => ({ kind: 'start', at: when, holder, leaseExpiresAt: leaseEnd });
const succeed = (holder: string): JobEvent => ({
  kind: 'succeed',
  at: later,
  holder,
  durationMs: 120,
  rowsWritten: 1,
  rowsKept: 0,
  upstreamRequests: 1,
});
const fail = (holder: string): JobEvent => ({ kind: 'fail', at: later, holder, error: forbidden, deadLettered: true });
const each = (jobIds: readonly string[], event: JobEvent): JobUpdate[] => jobIds.map((jobId) => ({ jobId, event }));
const day = '2026-11-27';
const dateJob = dateJobId(day);
const members = (count: number): DateJobMember[] =>
  Array.from({ length: count }, (_, index) => {
    const code = `c${String(index).padStart(4, '0')}`;
    return { jobId: `m-${String(index).padStart(4, '0')}`, code, params: { code, date: day } };
  });
const aDateJob = (count: number): Job =>
  queuedJob({ runId, jobId: dateJob, params: { date: day }, maxAttempts: 5, at, members: count });

/** The behaviour every RunLedger must have; run against the fake (unit) and DynamoDB on moto (integration). */
export function describeRunLedgerContract(name: string, createLedger: () => Promise<RunLedger>): void {
  describe(`RunLedger contract: ${name}`, () => {
    let ledger: RunLedger;
    beforeEach(async () => {
      ledger = await createLedger();
    });

    /** A running run with queued jobs, as the dispatcher leaves it. */
    async function aRunWithJobs(jobIds: readonly string[], id = runId): Promise<void> {
      await ledger.claimRun(aRun({ runId: id, status: 'dispatching' }));
      await ledger.addJobs(
        id,
        jobIds.map((jobId) => aJob({ runId: id, jobId })),
      );
      await ledger.updateRun(id, { kind: 'planned', total: jobIds.length, at });
      await ledger.updateRun(id, { kind: 'enqueued', at, deadlineAt: deadline });
    }

    /** Starts the jobs under `holder` and returns them as started. */
    async function started(jobIds: readonly string[], holder = 'attempt-1', id = runId): Promise<Job[]> {
      const { jobs } = await ledger.updateJobs(id, each(jobIds, start(holder)));
      return jobs.flatMap((result) => (result.applied ? [result.job] : []));
    }

    it('lets exactly one of two claims of the same run win', async () => {
      expect(await ledger.claimRun(aRun())).toBe(true);
      expect(await ledger.claimRun(aRun({ trigger: 'manual' }))).toBe(false);
      expect((await ledger.getRun(runId))?.trigger).toBe('scheduled');
    });

    it('lists a group runs newest first across pages', async () => {
      for (const hour of ['06', '07', '08']) {
        const scheduledTime = `2026-11-27T${hour}:30:00.000Z`;
        await ledger.claimRun(aRun({ runId: `daily-bars.${hour}`, scheduledTime }));
      }
      await ledger.claimRun(aRun({ runId: 'other.1', groupId: 'other' }));
      const first = await ledger.listRuns('daily-bars', { limit: 2 });
      expect(first.items.map((run) => run.runId)).toEqual(['daily-bars.08', 'daily-bars.07']);
      const second = await ledger.listRuns('daily-bars', {
        limit: 2,
        ...(first.cursor ? { cursor: first.cursor } : {}),
      });
      expect(second.items.map((run) => run.runId)).toEqual(['daily-bars.06']);
    });

    it('lists the runs still going of every group, oldest first, and no finished one', async () => {
      await ledger.claimRun(aRun({ runId: 'b.running', groupId: 'b', scheduledTime: '2026-11-27T07:00:00.000Z' }));
      await ledger.claimRun(
        aRun({ runId: 'a.dispatching', status: 'dispatching', scheduledTime: '2026-11-27T06:00:00.000Z' }),
      );
      await ledger.claimRun(aRun({ runId: 'a.done', status: 'succeeded', finishedAt: at }));
      await aRunWithJobs(['x'], 'c.finishes');
      await ledger.updateJobs('c.finishes', each(['x'], start('h')));
      await ledger.updateJobs('c.finishes', each(['x'], succeed('h')));
      const open = await ledger.listOpenRuns({ limit: 1 });
      const rest = await ledger.listOpenRuns({ limit: 10, ...(open.cursor ? { cursor: open.cursor } : {}) });
      expect([...open.items, ...rest.items].map((run) => run.runId)).toEqual(['a.dispatching', 'b.running']);
    });

    it('stores jobs as queued and lists them by status', async () => {
      await aRunWithJobs(['a', 'b', 'c']);
      await started(['b']);
      const queued = await ledger.listJobs(runId, { status: 'queued' });
      expect(queued.items.map((job) => job.jobId)).toEqual(['a', 'c']);
      expect(await ledger.getJob(runId, 'b')).toMatchObject({ status: 'running', attemptsMade: 1 });
    });

    it('replaces the jobs an interrupted dispatch stored before its run was planned', async () => {
      await ledger.claimRun(aRun({ status: 'dispatching' }));
      await ledger.addJobs(runId, [aJob({ jobId: 'a' }), aDateJob(3)], { [dateJob]: members(3) });
      await ledger.addJobs(runId, [aJob({ jobId: 'b' }), aDateJob(2)], { [dateJob]: members(2) });
      const listed = await ledger.listJobs(runId);
      expect(listed.items.map((job) => job.jobId)).toEqual(['m-0000', 'm-0001', 'b']);
      expect(await ledger.getMembers(runId, dateJob)).toHaveLength(2);
    });

    it('pages through jobs with a cursor', async () => {
      await aRunWithJobs(['a', 'b', 'c', 'd', 'e']);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await ledger.listJobs(runId, { limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((job) => job.jobId));
        cursor = page.cursor;
      } while (cursor !== undefined);
      expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('starts an attempt that holds the job until its lease ends', async () => {
      await aRunWithJobs(['a']);
      const [job] = await started(['a'], 'first');
      expect(job).toMatchObject({
        status: 'running',
        attemptsMade: 1,
        lease: { holder: 'first', expiresAt: leaseEnd },
      });
      const duplicate = await ledger.updateJobs(runId, each(['a'], start('second', '2026-11-27T08:31:10.000Z')));
      expect(duplicate.jobs).toEqual([expect.objectContaining({ applied: false, refused: 'held' })]);
    });

    it('lets a later delivery take over a job whose attempt never came back, naming the lost attempt', async () => {
      await aRunWithJobs(['a']);
      await started(['a'], 'crashed');
      const { jobs } = await ledger.updateJobs(runId, each(['a'], start('second', afterLease)));
      expect(jobs[0]).toMatchObject({
        applied: true,
        job: { attemptsMade: 2, lease: { holder: 'second' }, lastError: { code: 'attempt_abandoned' } },
      });
      const stale = await ledger.updateJobs(runId, each(['a'], succeed('crashed')));
      expect(stale.jobs[0]).toMatchObject({ applied: false, refused: 'not-holder' });
      expect((await ledger.getRun(runId))?.counters.succeeded).toBe(0);
    });

    it('refuses to start a job whose attempts were all spent by attempts that never came back', async () => {
      await ledger.claimRun(aRun({ status: 'dispatching' }));
      await ledger.addJobs(runId, [aJob({ jobId: 'a', maxAttempts: 1 })]);
      await ledger.updateRun(runId, { kind: 'enqueued', at, deadlineAt: deadline });
      await started(['a'], 'crashed');
      const { jobs } = await ledger.updateJobs(runId, each(['a'], start('second', afterLease)));
      expect(jobs[0]).toMatchObject({ applied: false, refused: 'exhausted', job: { status: 'running' } });
    });

    it('counts a batch of outcomes on the run once and finishes it exactly once', async () => {
      await aRunWithJobs(['a', 'b', 'c']);
      await started(['a', 'b', 'c']);
      const first = await ledger.updateJobs(runId, [
        { jobId: 'a', event: succeed('attempt-1') },
        { jobId: 'b', event: fail('attempt-1') },
      ]);
      expect(first.run.counters).toEqual({ total: 3, succeeded: 1, failed: 1, dead: 1 });
      expect(first.finished).toBeUndefined();
      const last = await ledger.updateJobs(runId, each(['c'], succeed('attempt-1')));
      expect(last.finished).toMatchObject({ status: 'partially_failed', finishedAt: later });
      const replay = await ledger.updateJobs(runId, each(['a', 'c'], succeed('attempt-1')));
      expect(replay.jobs.map((result) => result.applied)).toEqual([false, false]);
      expect(replay.finished).toBeUndefined();
      expect(replay.run.counters).toEqual({ total: 3, succeeded: 2, failed: 1, dead: 1 });
      expect(await ledger.getJob(runId, 'b')).toMatchObject({
        status: 'failed',
        deadLettered: true,
        lastError: forbidden,
      });
    });

    it('marks a run failed when every job failed and succeeded when none did', async () => {
      await aRunWithJobs(['a'], 'run-failed');
      await aRunWithJobs(['a'], 'run-ok');
      await started(['a'], 'h', 'run-failed');
      await started(['a'], 'h', 'run-ok');
      expect((await ledger.updateJobs('run-failed', each(['a'], fail('h')))).finished?.status).toBe('failed');
      expect((await ledger.updateJobs('run-ok', each(['a'], succeed('h')))).finished?.status).toBe('succeeded');
    });

    it('finishes a run whose jobs all ended while it was still dispatching, when it is enqueued', async () => {
      await ledger.claimRun(aRun({ status: 'dispatching' }));
      await ledger.addJobs(runId, [aJob({ jobId: 'a' })]);
      await ledger.updateRun(runId, { kind: 'planned', total: 1, at });
      await started(['a']);
      const done = await ledger.updateJobs(runId, each(['a'], succeed('attempt-1')));
      expect(done.run.status).toBe('dispatching');
      const enqueued = await ledger.updateRun(runId, { kind: 'enqueued', at: later, deadlineAt: deadline });
      expect(enqueued.finished).toMatchObject({ status: 'succeeded' });
    });

    it('counts every job once when many finish concurrently, and finishes the run once', async () => {
      const jobIds = Array.from({ length: 12 }, (_, index) => `job-${String(index).padStart(2, '0')}`);
      await aRunWithJobs(jobIds);
      await started(jobIds);
      const results = await Promise.all(
        jobIds.map((jobId) => ledger.updateJobs(runId, each([jobId], succeed('attempt-1')))),
      );
      expect(results.filter((result) => result.finished !== undefined)).toHaveLength(1);
      expect(await ledger.getRun(runId)).toMatchObject({
        status: 'succeeded',
        counters: { total: 12, succeeded: 12, failed: 0, dead: 0 },
      });
    });

    it('applies each of two racing decisions made on the same revision once, the second on the current job', async () => {
      await aRunWithJobs(['a']);
      const seen = (await ledger.getJob(runId, 'a')) as Job;
      const [one, two] = await Promise.all([
        ledger.updateJobs(runId, [{ jobId: 'a', seen, event: start('one') }]),
        ledger.updateJobs(runId, [{ jobId: 'a', seen, event: start('two') }]),
      ]);
      expect([one.jobs[0]?.applied, two.jobs[0]?.applied].sort()).toEqual([false, true]);
      expect((await ledger.getJob(runId, 'a'))?.attemptsMade).toBe(1);
    });

    it('gives a deferred job its attempt back and shows the wait on the job and the run', async () => {
      await aRunWithJobs(['a', 'b']);
      await started(['a', 'b']);
      const deferred = await ledger.updateJobs(
        runId,
        each(['a', 'b'], { kind: 'defer', at, holder: 'attempt-1', messageDueAt: later, progressed: false }),
      );
      expect(deferred.run).toMatchObject({ waitingForRateLimit: 2, deferrals: 2 });
      expect(await ledger.getJob(runId, 'a')).toMatchObject({
        status: 'queued',
        attemptsMade: 0,
        waitingFor: 'rate-limit',
        waitingSince: at,
        deferrals: 1,
        messageDueAt: later,
      });
      const again = await ledger.updateJobs(runId, each(['a'], start('attempt-2', later)));
      expect(again.jobs[0]).toMatchObject({ applied: true, job: { attemptsMade: 1, waitingSince: at } });
      expect(again.jobs[0]?.job?.waitingFor).toBeUndefined();
      expect(again.run).toMatchObject({ waitingForRateLimit: 1, deferrals: 2 });
    });

    it('keeps a single-job fetch position on the job until it finishes', async () => {
      await aRunWithJobs(['a']);
      await started(['a']);
      const checkpoint = { next: 'page-2', pages: 1, rows: { a: [10, 0] as [number, number] }, dates: ['2026-11-27'] };
      await ledger.updateJobs(runId, each(['a'], { kind: 'checkpoint', at, holder: 'attempt-1', checkpoint }));
      expect((await ledger.getJob(runId, 'a'))?.checkpoint).toEqual(checkpoint);
      await ledger.updateJobs(runId, each(['a'], succeed('attempt-1')));
      expect((await ledger.getJob(runId, 'a'))?.checkpoint).toBeUndefined();
    });

    it('keeps a date job members beside it, in as many items as they need, and lists each as a job', async () => {
      await ledger.claimRun(aRun({ status: 'dispatching' }));
      await ledger.addJobs(runId, [aDateJob(2_500), aJob({ jobId: 'z' })], { [dateJob]: members(2_500) });
      await ledger.updateRun(runId, { kind: 'planned', total: 2_501, at });
      expect(await ledger.getMembers(runId, dateJob)).toEqual(members(2_500));
      expect((await ledger.listJobs(runId, { asStored: true })).items.map((job) => job.jobId)).toEqual([dateJob, 'z']);
      // Listed, members page like any jobs: a page may end inside a date job's members and go on from there.
      const seen: Job[] = [];
      let cursor: string | undefined;
      do {
        const page = await ledger.listJobs(runId, { limit: 700, ...(cursor === undefined ? {} : { cursor }) });
        seen.push(...page.items);
        cursor = page.cursor;
      } while (cursor !== undefined);
      expect(seen).toHaveLength(2_501);
      expect(new Set(seen.map((job) => job.jobId)).size).toBe(2_501);
      expect(seen[0]).toMatchObject({ jobId: 'm-0000', params: { code: 'c0000', date: day }, fetchedWith: dateJob });
      expect(seen.at(-1)?.jobId).toBe('z');
    });

    it('shows each member as its date job stands, with its own outcome once it has one', async () => {
      await ledger.claimRun(aRun({ status: 'dispatching' }));
      await ledger.addJobs(runId, [aDateJob(3)], { [dateJob]: members(3) });
      await ledger.updateRun(runId, { kind: 'planned', total: 3, at });
      await ledger.updateRun(runId, { kind: 'enqueued', at, deadlineAt: deadline });
      await started([dateJob]);
      expect((await ledger.listJobs(runId, { status: 'running' })).items).toHaveLength(3);
      const stored = await ledger.getMembers(runId, dateJob);
      await ledger.saveMembers(runId, dateJob, [
        { ...(stored[0] as DateJobMember), outcome: { status: 'succeeded', rowsWritten: 1, rowsKept: 0 } },
        { ...(stored[1] as DateJobMember), outcome: { status: 'succeeded', rowsWritten: 1, rowsKept: 0 } },
        {
          ...(stored[2] as DateJobMember),
          outcome: { status: 'failed', rowsWritten: 0, rowsKept: 0, error: forbidden },
        },
      ]);
      const done = await ledger.updateJobs(runId, [
        {
          jobId: dateJob,
          event: {
            kind: 'succeed',
            at: later,
            holder: 'attempt-1',
            durationMs: 120,
            rowsWritten: 2,
            rowsKept: 0,
            upstreamRequests: 1,
            members: { succeeded: 2, failed: 1 },
            error: forbidden,
          },
        },
      ]);
      expect(done.finished).toMatchObject({
        status: 'partially_failed',
        counters: { total: 3, succeeded: 2, failed: 1, dead: 1 },
        rowsWritten: 2,
      });
      const failed = await ledger.listJobs(runId, { status: 'failed' });
      expect(failed.items).toEqual([
        expect.objectContaining({ jobId: 'm-0002', deadLettered: true, lastError: forbidden, fetchedWith: dateJob }),
      ]);
      expect((await ledger.listJobs(runId, { status: 'succeeded' })).items.map((job) => job.rowsWritten)).toEqual([
        1, 1,
      ]);
    });

    it('reopens a failed job and puts its finished run back to running with a fresh deadline', async () => {
      await aRunWithJobs(['a', 'b']);
      await started(['a', 'b']);
      await ledger.updateJobs(runId, [
        { jobId: 'a', event: succeed('attempt-1') },
        { jobId: 'b', event: fail('attempt-1') },
      ]);
      const reopenedRun = await ledger.updateRun(runId, { kind: 'reopen', at: afterLease });
      expect(reopenedRun.run).toMatchObject({ status: 'running', runningAt: afterLease });
      expect(reopenedRun.run.finishedAt).toBeUndefined();
      expect(Date.parse(reopenedRun.run.deadlineAt ?? '')).toBe(
        Date.parse(afterLease) + Date.parse(deadline) - Date.parse(at),
      );
      const reopened = await ledger.updateJobs(runId, [
        { jobId: 'b', event: { kind: 'reopen', at: afterLease } },
        { jobId: 'a', event: { kind: 'reopen', at: afterLease } },
      ]);
      expect(reopened.jobs.map((result) => (result.applied ? 'reopened' : result.refused))).toEqual([
        'reopened',
        'finished',
      ]);
      expect(reopened.run.counters).toEqual({ total: 2, succeeded: 1, failed: 0, dead: 0 });
      expect(await ledger.getJob(runId, 'b')).toMatchObject({
        status: 'queued',
        attemptsMade: 0,
        deadLettered: false,
        lastError: forbidden,
        messageDueAt: afterLease,
      });
    });

    it('recounts a finished run without finishing it again', async () => {
      await aRunWithJobs(['a']);
      await started(['a']);
      await ledger.updateJobs(runId, each(['a'], succeed('attempt-1')));
      const again = await ledger.recountRun(runId, afterLease);
      expect(again.finished).toBeUndefined();
      expect(again.run).toMatchObject({
        status: 'succeeded',
        counters: { total: 1, succeeded: 1, failed: 0, dead: 0 },
      });
    });

    it('times a run out through its jobs: they fail, refuse every later attempt, and the run ends failed once', async () => {
      await aRunWithJobs(['a', 'b', 'c']);
      await started(['a', 'c']);
      await ledger.updateJobs(runId, each(['c'], succeed('attempt-1')));
      const timedOut = await ledger.updateJobs(
        runId,
        each(['a', 'b'], { kind: 'time-out', at: afterLease, deadlineAt: deadline }),
      );
      expect(timedOut.finished).toMatchObject({
        status: 'failed',
        reason: 'timed out',
        finishedAt: afterLease,
        counters: { total: 3, succeeded: 1, failed: 2, dead: 0 },
      });
      const late = await ledger.updateJobs(runId, each(['b'], start('late', afterLease)));
      expect(late.jobs[0]).toMatchObject({ applied: false, refused: 'finished' });
      expect(await ledger.getJob(runId, 'a')).toMatchObject({ status: 'failed', lastError: { code: 'run_timed_out' } });
      expect((await ledger.recountRun(runId, afterLease)).finished).toBeUndefined();
    });

    it('bumps a run revision with every write, the counts its jobs add included', async () => {
      await aRunWithJobs(['a', 'b']);
      const before = (await ledger.getRun(runId))?.revision ?? 0;
      await started(['a']);
      await ledger.updateJobs(runId, each(['a'], succeed('attempt-1')));
      expect((await ledger.getRun(runId))?.revision).toBeGreaterThan(before);
      expect((await ledger.getRun(runId))?.rowsWritten).toBe(1);
    });

    it('fails a run whose dispatch could not expand its jobs, once', async () => {
      await ledger.claimRun(aRun({ status: 'dispatching' }));
      const failed = await ledger.updateRun(runId, { kind: 'dispatch-failed', at, reason: 'bad template' });
      expect(failed.finished).toMatchObject({ status: 'failed', reason: 'bad template' });
      expect((await ledger.updateRun(runId, { kind: 'enqueued', at, deadlineAt: deadline })).refused).toBe(
        'not-dispatching',
      );
    });

    it('adds the upstream requests made on a run behalf', async () => {
      await aRunWithJobs(['a']);
      await ledger.addUpstreamRequests(runId, 3);
      await ledger.addUpstreamRequests(runId, 2);
      expect((await ledger.getRun(runId))?.upstreamRequests).toBe(5);
    });

    it('refuses events for an unknown job and fails for an unknown run', async () => {
      await aRunWithJobs(['a']);
      const unknownJob = await ledger.updateJobs(runId, each(['nope'], start('h')));
      expect(unknownJob.jobs[0]).toMatchObject({ applied: false, refused: 'unknown' });
      await expect(ledger.updateJobs('no-such-run', each(['a'], start('h')))).rejects.toThrow(NotFoundError);
      await expect(ledger.updateRun('no-such-run', { kind: 'reopen', at })).rejects.toThrow(NotFoundError);
      expect(await ledger.getRun('no-such-run')).toBeUndefined();
      expect(await ledger.getJob(runId, 'nope')).toBeUndefined();
    });
  });
}
