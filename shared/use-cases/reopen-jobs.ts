import { isReopenable } from '#shared/domain/job-transitions.ts';
import type { Job } from '#shared/domain/run.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import { type RunFinishedDeps, reportFinish } from '#shared/use-cases/run-finished.ts';

/** What reopening needs: the ledger, the clock, and where a finish is reported. */
export interface ReopenDeps extends RunFinishedDeps {
  readonly runLedger: RunLedger;
  readonly clock: Clock;
}

/**
 * Lets failed jobs of a run (and date jobs with failed members) run again, before their messages are sent (a run
 * retry, a redrive): the run first goes back to `running` with a fresh deadline, then each job goes back to `queued`
 * with its message due now. A crash
 * after the run's write leaves a running run whose jobs have all finished, which the next count finishes again; a
 * crash before the send leaves queued jobs whose message is overdue, which the watchdog sends. Returns the jobs
 * reopened (as they were before), leaving out those that had moved on meanwhile.
 */
export async function reopenJobs(runId: string, jobs: readonly Job[], deps: ReopenDeps): Promise<Job[]> {
  const failed = jobs.filter(isReopenable);
  if (failed.length === 0) return [];
  const at = deps.clock.now().toISOString();
  await deps.runLedger.updateRun(runId, { kind: 'reopen', at });
  const change = await deps.runLedger.updateJobs(
    runId,
    failed.map((job) => ({ jobId: job.jobId, seen: job, event: { kind: 'reopen' as const, at } })),
  );
  // Jobs that had succeeded or were reopened by someone else meanwhile leave the run with nothing to wait for.
  await reportFinish(change, deps);
  const before = new Map(failed.map((job) => [job.jobId, job]));
  return change.jobs.flatMap((result) => (result.applied ? (before.get(result.jobId) ?? []) : []));
}

/**
 * Fails reopened jobs again as they were (their last error, dead-lettered or not) when their messages could not be
 * sent, so that they are neither lost nor waiting for a message that never left.
 */
export async function failAgain(runId: string, jobs: readonly Job[], deps: ReopenDeps): Promise<void> {
  if (jobs.length === 0) return;
  const at = deps.clock.now().toISOString();
  const change = await deps.runLedger.updateJobs(
    runId,
    jobs.map((job) => ({
      jobId: job.jobId,
      event: {
        kind: 'fail' as const,
        at,
        error: job.lastError ?? { code: 'requeue_failed', message: 'the job could not be sent again' },
        deadLettered: job.deadLettered,
      },
    })),
  );
  await reportFinish(change, deps);
}
