import { beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import { aJob, aRun } from '#test/fixtures/builders.ts';

const at = '2026-11-27T08:31:00.000Z';
const success = { status: 'succeeded', durationMs: 120, rowsWritten: 1, upstreamRequests: 1, at } as const;
const failure = {
  status: 'failed',
  deadLettered: true,
  durationMs: 80,
  upstreamRequests: 1,
  lastError: { code: 'upstream_forbidden', message: 'HTTP 403' },
  at,
} as const;

/** The behaviour every RunLedger must have; run against the fake (unit) and DynamoDB on moto (integration). */
export function describeRunLedgerContract(name: string, createLedger: () => Promise<RunLedger>): void {
  describe(`RunLedger contract: ${name}`, () => {
    let ledger: RunLedger;
    beforeEach(async () => {
      ledger = await createLedger();
    });

    async function aRunWithJobs(jobIds: string[], runId = aRun().runId): Promise<void> {
      await ledger.claimRun(aRun({ runId, status: 'dispatching' }));
      await ledger.addJobs(
        runId,
        jobIds.map((jobId) => aJob({ runId, jobId })),
      );
      await ledger.updateRun(runId, { status: 'running', total: jobIds.length, at });
    }

    it('lets exactly one of two claims of the same run win', async () => {
      expect(await ledger.claimRun(aRun())).toBe(true);
      expect(await ledger.claimRun(aRun({ trigger: 'manual' }))).toBe(false);
      expect((await ledger.getRun(aRun().runId))?.trigger).toBe('scheduled');
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

    it('stores jobs as queued and lists them by status', async () => {
      await aRunWithJobs(['a', 'b', 'c']);
      await ledger.startAttempt(aRun().runId, 'b', at);
      const queued = await ledger.listJobs(aRun().runId, { status: 'queued' });
      expect(queued.items.map((job) => job.jobId)).toEqual(['a', 'c']);
    });

    it('pages through jobs with a cursor', async () => {
      await aRunWithJobs(['a', 'b', 'c', 'd', 'e']);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await ledger.listJobs(aRun().runId, { limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((job) => job.jobId));
        cursor = page.cursor;
      } while (cursor !== undefined);
      expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('counts attempts as they start', async () => {
      await aRunWithJobs(['a']);
      await ledger.startAttempt(aRun().runId, 'a', at);
      await ledger.recordRetry(aRun().runId, 'a', { code: 'upstream_unavailable', message: 'HTTP 503' }, at);
      const job = await ledger.startAttempt(aRun().runId, 'a', at);
      expect(job).toMatchObject({ status: 'running', attemptsMade: 2, lastError: { code: 'upstream_unavailable' } });
    });

    it('takes back an attempt that a rate limit deferred', async () => {
      await aRunWithJobs(['a']);
      await ledger.startAttempt(aRun().runId, 'a', at);
      await ledger.releaseAttempt(aRun().runId, 'a', at);
      expect(await ledger.getJob(aRun().runId, 'a')).toMatchObject({ status: 'queued', attemptsMade: 0 });
      await ledger.releaseAttempt(aRun().runId, 'a', at);
      expect(await ledger.getJob(aRun().runId, 'a')).toMatchObject({ status: 'queued', attemptsMade: 0 });
    });

    it('keeps the progress of jobs that are added again', async () => {
      await aRunWithJobs(['a']);
      await ledger.startAttempt(aRun().runId, 'a', at);
      await ledger.addJobs(aRun().runId, [aJob({ jobId: 'a' })]);
      expect(await ledger.getJob(aRun().runId, 'a')).toMatchObject({ status: 'running', attemptsMade: 1 });
    });

    it('counts a finished job once even when its message is replayed', async () => {
      await aRunWithJobs(['a', 'b']);
      expect((await ledger.finishJob(aRun().runId, 'a', success)).counted).toBe(true);
      const replay = await ledger.finishJob(aRun().runId, 'a', success);
      expect(replay.counted).toBe(false);
      expect(replay.run.counters).toEqual({ total: 2, succeeded: 1, failed: 0, dead: 0 });
      expect(await ledger.startAttempt(aRun().runId, 'a', at)).toBeUndefined();
    });

    it('gives the run its final status when the last job finishes', async () => {
      await aRunWithJobs(['a', 'b']);
      const first = await ledger.finishJob(aRun().runId, 'a', success);
      expect(first.run.status).toBe('running');
      const last = await ledger.finishJob(aRun().runId, 'b', failure);
      expect(last.run).toMatchObject({
        status: 'partially_failed',
        counters: { total: 2, succeeded: 1, failed: 1, dead: 1 },
        finishedAt: at,
      });
      expect(await ledger.getJob(aRun().runId, 'b')).toMatchObject({
        status: 'failed',
        deadLettered: true,
        lastError: { code: 'upstream_forbidden', message: 'HTTP 403' },
      });
    });

    it('marks a run failed when every job failed and succeeded when none did', async () => {
      await aRunWithJobs(['a'], 'run-failed');
      await aRunWithJobs(['a'], 'run-ok');
      expect((await ledger.finishJob('run-failed', 'a', failure)).run.status).toBe('failed');
      expect((await ledger.finishJob('run-ok', 'a', success)).run.status).toBe('succeeded');
    });

    it('finishes a run whose jobs all ended while it was still dispatching', async () => {
      await ledger.claimRun(aRun({ status: 'dispatching', counters: { total: 1, succeeded: 0, failed: 0, dead: 0 } }));
      await ledger.addJobs(aRun().runId, [aJob({ jobId: 'a' })]);
      expect((await ledger.finishJob(aRun().runId, 'a', success)).run.status).toBe('dispatching');
      expect((await ledger.updateRun(aRun().runId, { status: 'running', at })).status).toBe('succeeded');
    });

    it('counts every job once when many finish concurrently', async () => {
      const jobIds = Array.from({ length: 12 }, (_, index) => `job-${String(index).padStart(2, '0')}`);
      await aRunWithJobs(jobIds);
      await Promise.all(
        jobIds.flatMap((jobId) => [
          ledger.finishJob(aRun().runId, jobId, success),
          ledger.finishJob(aRun().runId, jobId, success),
        ]),
      );
      expect(await ledger.getRun(aRun().runId)).toMatchObject({
        status: 'succeeded',
        counters: { total: 12, succeeded: 12, failed: 0, dead: 0 },
      });
    });

    it('recounts a run whose counters fell short and finishes it', async () => {
      await aRunWithJobs(['a', 'b']);
      await ledger.finishJob(aRun().runId, 'a', success);
      await ledger.finishJob(aRun().runId, 'b', failure);
      const recounted = await ledger.recountRun(aRun().runId, at);
      expect(recounted).toMatchObject({
        status: 'partially_failed',
        counters: { total: 2, succeeded: 1, failed: 1, dead: 1 },
      });
    });

    it('adds upstream requests to the run', async () => {
      await aRunWithJobs([]);
      await ledger.addUpstreamRequests(aRun().runId, 3);
      await ledger.addUpstreamRequests(aRun().runId, 2);
      expect((await ledger.getRun(aRun().runId))?.upstreamRequests).toBe(5);
    });

    it('reopens a dead-lettered job of a finished run, which then finishes again with it', async () => {
      await aRunWithJobs(['a', 'b']);
      await ledger.finishJob(aRun().runId, 'a', success);
      await ledger.startAttempt(aRun().runId, 'b', at);
      await ledger.finishJob(aRun().runId, 'b', failure);
      const later = '2026-11-27T09:00:00.000Z';
      const reopened = await ledger.reopenJob(aRun().runId, 'b', later);
      expect(reopened).toMatchObject({
        reopened: true,
        job: { status: 'queued', attemptsMade: 0, deadLettered: false, lastError: failure.lastError, updatedAt: later },
      });
      expect(await ledger.getJob(aRun().runId, 'b')).toEqual(reopened.job);
      const run = await ledger.getRun(aRun().runId);
      expect(run).toMatchObject({ status: 'running', counters: { total: 2, succeeded: 1, failed: 0, dead: 0 } });
      expect(run?.finishedAt).toBeUndefined();
      expect((await ledger.startAttempt(aRun().runId, 'b', later))?.attemptsMade).toBe(1);
      const finished = await ledger.finishJob(aRun().runId, 'b', { ...success, at: later });
      expect(finished).toMatchObject({
        counted: true,
        run: { status: 'succeeded', counters: { total: 2, succeeded: 2, failed: 0, dead: 0 }, finishedAt: later },
      });
    });

    it('reopens a failed job of a run still running and counts it again when it fails again', async () => {
      await aRunWithJobs(['a', 'b']);
      await ledger.finishJob(aRun().runId, 'a', { ...failure, deadLettered: false });
      expect((await ledger.reopenJob(aRun().runId, 'a', at)).reopened).toBe(true);
      expect(await ledger.getRun(aRun().runId)).toMatchObject({
        status: 'running',
        counters: { total: 2, succeeded: 0, failed: 0, dead: 0 },
      });
      expect((await ledger.finishJob(aRun().runId, 'a', failure)).counted).toBe(true);
      const last = await ledger.finishJob(aRun().runId, 'b', failure);
      expect(last.run).toMatchObject({ status: 'failed', counters: { total: 2, succeeded: 0, failed: 2, dead: 2 } });
    });

    it('reopens a failed job once however often it is asked, and leaves other jobs as they are', async () => {
      await aRunWithJobs(['a', 'b', 'c']);
      await ledger.finishJob(aRun().runId, 'a', failure);
      await ledger.finishJob(aRun().runId, 'b', success);
      const results = await Promise.all([1, 2, 3].map(() => ledger.reopenJob(aRun().runId, 'a', at)));
      expect(results.filter((result) => result.reopened)).toHaveLength(1);
      expect(await ledger.reopenJob(aRun().runId, 'b', at)).toMatchObject({
        reopened: false,
        job: { status: 'succeeded' },
      });
      expect(await ledger.reopenJob(aRun().runId, 'c', at)).toMatchObject({
        reopened: false,
        job: { status: 'queued' },
      });
      expect(await ledger.getRun(aRun().runId)).toMatchObject({
        status: 'running',
        counters: { total: 3, succeeded: 1, failed: 0, dead: 0 },
      });
    });

    it('puts back to running a finished run that a reopen left with an unfinished job', async () => {
      const counters = { total: 2, succeeded: 1, failed: 1, dead: 1 };
      await ledger.claimRun(aRun({ status: 'partially_failed', counters, finishedAt: at }));
      await ledger.addJobs(aRun().runId, [aJob({ jobId: 'a', status: 'succeeded' }), aJob({ jobId: 'b' })]);
      expect((await ledger.reopenJob(aRun().runId, 'b', at)).reopened).toBe(false);
      const run = await ledger.getRun(aRun().runId);
      expect(run?.status).toBe('running');
      expect(run?.finishedAt).toBeUndefined();
      expect((await ledger.finishJob(aRun().runId, 'b', success)).run).toMatchObject({
        status: 'succeeded',
        counters: { total: 2, succeeded: 2, failed: 0, dead: 0 },
      });
    });

    it('reports reopening a missing run or job as not found', async () => {
      await expect(ledger.reopenJob('missing', 'a', at)).rejects.toBeInstanceOf(NotFoundError);
      await aRunWithJobs(['a']);
      await expect(ledger.reopenJob(aRun().runId, 'missing', at)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('reports a missing run or job as not found', async () => {
      await expect(ledger.updateRun('missing', { status: 'running', at })).rejects.toBeInstanceOf(NotFoundError);
      await aRunWithJobs(['a']);
      await expect(ledger.finishJob(aRun().runId, 'missing', success)).rejects.toBeInstanceOf(NotFoundError);
      expect(await ledger.getRun('missing')).toBeUndefined();
    });
  });
}
