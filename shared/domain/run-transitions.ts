import { addTallies, type JobTally, noTally, type TalliedJob, tallyOf } from '#shared/domain/job-transitions.ts';
import { type Changes, changedRecord } from '#shared/domain/record-changes.ts';
import { allJobsFinished, finalRunStatus, type Run } from '#shared/domain/run.ts';
import { minimumRunDeadlineMs } from '#shared/domain/run-deadline.ts';

/**
 * The run state machine (design §1): `dispatching → running → succeeded | partially_failed | failed`; `skipped` and
 * `missed` runs are recorded finished. A finished run goes back to `running` when one of its failed jobs is reopened,
 * and finishes again with its jobs. Like jobs, every change is one event decided here and persisted by the ledger,
 * which writes it only while the stored run is still the revision the decision was made on (every write bumps it,
 * the counts its jobs add included).
 *
 * A run finishes on a recount of its jobs that finds them all finished — `failed` with reason `timed out` when the
 * watchdog failed some of them at the run's deadline — or when its dispatch fails. Exactly one such decision is
 * persisted per finish, and whoever persisted it reports it (`runFinished`), so later features hook one place.
 */

/** One event in a run's life. */
export type RunEvent =
  /** Every job of the run is stored: it has `total` jobs (set before any message is sent). */
  | { readonly kind: 'planned'; readonly at: string; readonly total: number }
  /** Every job message was sent: the run is running, and must finish by `deadlineAt`. */
  | { readonly kind: 'enqueued'; readonly at: string; readonly deadlineAt: string }
  /** The run could not be dispatched at all (its template did not expand, its group is gone). */
  | { readonly kind: 'dispatch-failed'; readonly at: string; readonly reason: string }
  /** What the run's jobs add up to, counted from the jobs themselves (`countJobs`). */
  | { readonly kind: 'recount'; readonly at: string; readonly counted: JobTally }
  /** A failed job of the run is about to be reopened: a finished run runs again, with a fresh deadline. */
  | { readonly kind: 'reopen'; readonly at: string }
  /**
   * Its group's dependencies are met: a run waiting for them (or skipped because they had failed, when an upstream
   * run has since finished again) is dispatched.
   */
  | { readonly kind: 'dependencies-met'; readonly at: string }
  /** Its dependencies failed the rule (`skipped`), or did not finish by its deadline (`failed`, `timedOut`). */
  | { readonly kind: 'dependencies-unmet'; readonly at: string; readonly reason: string; readonly timedOut?: boolean };

/** Why an event changed nothing. */
export type RunRefusal = 'not-dispatching' | 'not-finished' | 'unchanged' | 'not-waiting';

/** What an event does to a run. `finished` when this change is the run's finish. */
export type RunDecision = { readonly run: Run; readonly finished: boolean } | { readonly refused: RunRefusal };

/**
 * A run still `dispatching` this long after its last change has lost its dispatcher (a crash, a timeout): the
 * watchdog dispatches it again, and an `overlap: skip` tick no longer yields to it.
 */
export const stuckDispatchAfterMs = 15 * 60_000;

/** Statuses of a run that is still going. */
export const unfinishedRunStatuses: ReadonlySet<Run['status']> = new Set(['waiting', 'dispatching', 'running']);

/** Statuses of a run that finished its jobs (a reopened job puts it back to `running`). */
const finishedWithJobs: ReadonlySet<Run['status']> = new Set(['succeeded', 'partially_failed', 'failed']);

/** Decides what `event` does to `run` (pure: the ledger persists the answer). */
export function decideRun(run: Run, event: RunEvent): RunDecision {
  switch (event.kind) {
    case 'planned':
      if (run.status !== 'dispatching') return { refused: 'not-dispatching' };
      return changed(run, event.at, { counters: { ...run.counters, total: event.total }, plannedAt: event.at });
    case 'enqueued':
      if (run.status !== 'dispatching') return { refused: 'not-dispatching' };
      return changed(run, event.at, { status: 'running', runningAt: event.at, deadlineAt: event.deadlineAt });
    case 'dispatch-failed':
      if (run.status !== 'dispatching') return { refused: 'not-dispatching' };
      return finish(run, event.at, { status: 'failed', reason: event.reason });
    case 'recount':
      return decideRecount(run, event.at, event.counted);
    case 'dependencies-met': {
      const skippedForThem = run.status === 'skipped' && run.blockedBy === 'dependencies';
      if (run.status !== 'waiting' && !skippedForThem) return { refused: 'not-waiting' };
      return changed(run, event.at, {
        status: 'dispatching',
        blockedBy: undefined,
        reason: undefined,
        finishedAt: undefined,
      });
    }
    case 'dependencies-unmet':
      if (run.status !== 'waiting') return { refused: 'not-waiting' };
      return finish(run, event.at, {
        status: event.timedOut === true ? 'failed' : 'skipped',
        reason: event.reason,
        ...(event.timedOut === true ? { blockedBy: undefined } : {}),
      });
    case 'reopen': {
      if (!finishedWithJobs.has(run.status)) return { refused: 'not-finished' };
      // It runs again with as long as it had the first time, from now: its old deadline may be long past.
      const spanMs =
        run.runningAt !== undefined && run.deadlineAt !== undefined
          ? Date.parse(run.deadlineAt) - Date.parse(run.runningAt)
          : minimumRunDeadlineMs;
      return changed(run, event.at, {
        status: 'running',
        runningAt: event.at,
        deadlineAt: new Date(Date.parse(event.at) + spanMs).toISOString(),
        reason: undefined,
        finishedAt: undefined,
      });
    }
  }
}

/**
 * A recount finishes a running run whose jobs have all finished, and repairs a finished run's counts. It never
 * writes the counts of a run still going: other writers are adding to them right then, and the counts only ever
 * fall short (a crash between a job's write and its count), which the finishing recount puts right.
 */
function decideRecount(run: Run, at: string, counted: JobTally): RunDecision {
  const counts = countsOf(run.counters.total, counted);
  if (run.status === 'running' && allJobsFinished(counts.counters)) {
    const outcome =
      counted.timedOut > 0
        ? { status: 'failed' as const, reason: 'timed out' }
        : { status: finalRunStatus(counts.counters) };
    return finish(run, at, { ...counts, ...outcome });
  }
  if (!finishedWithJobs.has(run.status) || sameCounts(run, counts)) return { refused: 'unchanged' };
  return changed(run, at, counts);
}

/** Adds up the run's jobs as stored (a date job counts its members). */
export function countJobs(jobs: Iterable<TalliedJob>): JobTally {
  let total = noTally;
  for (const job of jobs) total = addTallies(total, tallyOf(job));
  return total;
}

/** The run after its jobs' counts moved by `tally`, which the ledger adds atomically (one revision on). */
export function withTally(run: Run, tally: JobTally, at: string): Run {
  return {
    ...run,
    counters: {
      ...run.counters,
      succeeded: run.counters.succeeded + tally.succeeded,
      failed: run.counters.failed + tally.failed,
      dead: run.counters.dead + tally.dead,
    },
    waitingForRateLimit: run.waitingForRateLimit + tally.waitingForRateLimit,
    deferrals: run.deferrals + tally.deferrals,
    rowsWritten: run.rowsWritten + tally.rowsWritten,
    revision: run.revision + 1,
    updatedAt: at,
  };
}

/**
 * A run's last jobs recount it when they finish: its running counters can fall short of its jobs (a crash between a
 * job's write and its count), and a run whose count came up short would otherwise wait for the watchdog.
 */
export const tailRecountJobs = 10;

/**
 * True when a recount of the run's jobs may finish it: it is running and its counters leave at most
 * `tailRecountJobs` jobs unfinished. The counters only fall short, never run ahead: the recount decides.
 */
export function mayBeDone(run: Run): boolean {
  const { total, succeeded, failed } = run.counters;
  return run.status === 'running' && total - succeeded - failed <= tailRecountJobs;
}

/**
 * True while a run that has not finished still counts as going: dispatching and not stuck, or running within its
 * deadline. A run past either is the watchdog's to repair, and no longer holds back a new tick.
 */
export function isGoing(run: Run, nowMs: number): boolean {
  if (run.status === 'dispatching') return Date.parse(run.updatedAt) + stuckDispatchAfterMs > nowMs;
  if (run.status !== 'running' && run.status !== 'waiting') return false;
  return deadlineOf(run) > nowMs;
}

/** When a running run's unfinished jobs time out (a run from before deadlines existed gets the minimum). */
export function deadlineOf(run: Run): number {
  if (run.deadlineAt !== undefined) return Date.parse(run.deadlineAt);
  return Date.parse(run.runningAt ?? run.createdAt) + minimumRunDeadlineMs;
}

function changed(run: Run, at: string, changes: Changes<Run>): RunDecision {
  return { run: changedRecord(run, at, changes), finished: false };
}

function finish(run: Run, at: string, changes: Changes<Run>): RunDecision {
  return { run: changedRecord(run, at, { ...changes, finishedAt: at }), finished: true };
}

function countsOf(
  total: number,
  counted: JobTally,
): Pick<Run, 'counters' | 'waitingForRateLimit' | 'deferrals' | 'rowsWritten'> {
  return {
    counters: { total, succeeded: counted.succeeded, failed: counted.failed, dead: counted.dead },
    waitingForRateLimit: counted.waitingForRateLimit,
    deferrals: counted.deferrals,
    rowsWritten: counted.rowsWritten,
  };
}

function sameCounts(run: Run, counts: ReturnType<typeof countsOf>): boolean {
  return (
    JSON.stringify(run.counters) === JSON.stringify(counts.counters) &&
    run.waitingForRateLimit === counts.waitingForRateLimit &&
    run.deferrals === counts.deferrals &&
    run.rowsWritten === counts.rowsWritten
  );
}

/**
 * When an open run became stuck, for alerts: its deadline passed and the watchdog has not closed it yet, or its
 * dispatch has not moved for `stuckDispatchAfterMs` (a dispatch takes seconds; the watchdog resumes one). Undefined
 * while it is not stuck.
 */
export function stuckSince(run: Run, nowMs: number): string | undefined {
  if (run.deadlineAt !== undefined && Date.parse(run.deadlineAt) < nowMs) return run.deadlineAt;
  if (run.status === 'dispatching' && Date.parse(run.updatedAt) + stuckDispatchAfterMs <= nowMs) return run.updatedAt;
  return undefined;
}
