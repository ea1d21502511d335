import { type Backfill, backfillRunId } from '#shared/domain/backfill.ts';
import { finishedJobStatuses } from '#shared/domain/run.ts';
import type { BackfillStore } from '#shared/ports/backfill-store.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import { allJobs } from '#shared/use-cases/all-jobs.ts';
import { type RunFinishedDeps, reportFinish } from '#shared/use-cases/run-finished.ts';

export interface CancelBackfillDeps extends RunFinishedDeps {
  readonly backfillStore: BackfillStore;
  readonly runLedger: RunLedger;
  readonly clock: Clock;
}

/** The error a job of a cancelled backfill ends with. */
const cancelled = { code: 'backfill_cancelled', message: 'the backfill was cancelled before the job finished' };

/**
 * Cancels a backfill (`POST /backfills/{id}/cancel`), for good: it starts no more runs, and the jobs of its runs still
 * going end `failed` (`backfill_cancelled`), so nothing more is fetched for it. Rows already stored stay. Returns
 * the backfill, and `finished` when it had finished already (nothing was changed).
 */
export async function cancelBackfill(
  backfillId: string,
  deps: CancelBackfillDeps,
): Promise<{ backfill: Backfill; finished?: true }> {
  const change = await deps.backfillStore.update(backfillId, { kind: 'cancel', at: deps.clock.now().toISOString() });
  if (change.refused !== undefined) return { backfill: change.backfill, finished: true };
  const { backfill } = change;
  const runIds = [
    ...backfill.inFlight.map((date) => backfillRunId(backfillId, date)),
    ...(backfill.rangesRunId === undefined ? [] : [backfill.rangesRunId]),
    ...(backfill.calendarRunId === undefined ? [] : [backfill.calendarRunId]),
  ];
  for (const runId of runIds) await stopRun(runId, deps);
  deps.log.info('backfill cancelled', { backfillId, groupId: backfill.groupId, count: runIds.length });
  return { backfill };
}

async function stopRun(runId: string, deps: CancelBackfillDeps): Promise<void> {
  const run = await deps.runLedger.getRun(runId);
  if (run === undefined || run.finishedAt !== undefined) return;
  const unfinished = await allJobs(deps.runLedger, runId, (job) => !finishedJobStatuses.has(job.status));
  const at = deps.clock.now().toISOString();
  const change = await deps.runLedger.updateJobs(
    runId,
    unfinished.map((job) => ({
      jobId: job.jobId,
      seen: job,
      event: { kind: 'fail' as const, at, error: cancelled, deadLettered: false },
    })),
  );
  await reportFinish(change, deps);
}
