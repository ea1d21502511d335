import type { JobTally } from '#shared/domain/job-transitions.ts';
import { allJobsFinished, finalRunStatus, type Run, type RunCounters } from '#shared/domain/run.ts';
import { minimumRunDeadlineMs } from '#shared/domain/run-deadline.ts';

/**
 * The run state machine (design §1): `dispatching → running → succeeded | partially_failed | failed`; `skipped` and
 * `missed` runs are recorded finished. A finished run goes back to `running` when one of its failed jobs is reopened,
 * and finishes again with its jobs. Like jobs, every change is one event decided here and persisted by the ledger,
 * which writes it only while the stored run is still in the status the decision was made on.
 *
 * A run's finish is one event: exactly one finishing decision (a `recount` of finished jobs, `time-out` or
 * `dispatch-failed`) is persisted per finish, and whoever persisted it reports it (`runFinished`), so later features
 * hook one place.
 */

/** What the jobs of a run say its counters are, when recounted from the jobs themselves. */
export interface CountedJobs {
  readonly counters: RunCounters;
  readonly waitingForRateLimit: number;
  readonly deferrals: number;
}

/** One event in a run's life. */
export type RunEvent =
  /** The dispatcher expanded the template: the run has `total` jobs (set before any is sent). */
  | { readonly kind: 'planned'; readonly at: string; readonly total: number }
  /** Every job message was sent: the run is running, and must finish by `deadlineAt`. */
  | { readonly kind: 'enqueued'; readonly at: string; readonly deadlineAt: string }
  /** The run could not be dispatched at all (its template did not expand). */
  | { readonly kind: 'dispatch-failed'; readonly at: string; readonly reason: string }
  /** The counters as the jobs say they are (the ledger counts them); a running run finishes if every job has. */
  | { readonly kind: 'recount'; readonly at: string; readonly counted: CountedJobs }
  /** A failed job of the run is about to be reopened: a finished run runs again, with a fresh deadline. */
  | { readonly kind: 'reopen'; readonly at: string }
  /** The run passed its deadline: it ends `failed` (its unfinished jobs are failed right after). */
  | { readonly kind: 'time-out'; readonly at: string };

/** Why an event changed nothing. */
export type RunRefusal = 'not-dispatching' | 'not-running' | 'not-finished' | 'unchanged';

/** What an event does to a run. `finished` when this change is the run's finish. */
export type RunDecision = { readonly run: Run; readonly finished: boolean } | { readonly refused: RunRefusal };

/**
 * A run still `dispatching` this long after its last change has lost its dispatcher (a crash, a timeout): the
 * watchdog dispatches it again, and an `overlap: skip` tick no longer yields to it.
 */
export const stuckDispatchAfterMs = 15 * 60_000;

/**
 * True while a run that has not finished still counts as going: dispatching and not stuck, or running within its
 * deadline. A run past either is the watchdog's to repair, and no longer holds back a new tick.
 */
export function isGoing(run: Run, nowMs: number): boolean {
  if (run.status === 'dispatching') return Date.parse(run.updatedAt) + stuckDispatchAfterMs > nowMs;
  if (run.status !== 'running') return false;
  return deadlineOf(run) > nowMs;
}

/** When a running run's unfinished jobs time out (a run from before deadlines existed gets the minimum). */
export function deadlineOf(run: Run): number {
  if (run.deadlineAt !== undefined) return Date.parse(run.deadlineAt);
  return Date.parse(run.runningAt ?? run.createdAt) + minimumRunDeadlineMs;
}

/** Statuses of a run that is still going. */
export const unfinishedRunStatuses: ReadonlySet<Run['status']> = new Set(['dispatching', 'running']);

/** Statuses of a run that finished its jobs (a reopened job puts it back to `running`). */
const finishedWithJobs: ReadonlySet<Run['status']> = new Set(['succeeded', 'partially_failed', 'failed']);

/** Decides what `event` does to `run` (pure: the ledger persists the answer). */
export function decideRun(run: Run, event: RunEvent): RunDecision {
  switch (event.kind) {
    case 'planned':
      if (run.status !== 'dispatching') return { refused: 'not-dispatching' };
      return changed(run, event.at, { counters: { ...run.counters, total: event.total } });
    case 'enqueued':
      if (run.status !== 'dispatching') return { refused: 'not-dispatching' };
      return changed(run, event.at, { status: 'running', runningAt: event.at, deadlineAt: event.deadlineAt });
    case 'dispatch-failed':
      if (run.status !== 'dispatching') return { refused: 'not-dispatching' };
      return finish(run, event.at, { status: 'failed', reason: event.reason });
    case 'recount': {
      const counted = countedFields(event.counted);
      if (run.status === 'running' && allJobsFinished(event.counted.counters)) {
        return finish(run, event.at, { ...counted, status: finalRunStatus(event.counted.counters) });
      }
      if (sameCounts(run, event.counted)) return { refused: 'unchanged' };
      return changed(run, event.at, counted);
    }
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
    case 'time-out':
      if (!unfinishedRunStatuses.has(run.status)) return { refused: 'not-running' };
      return finish(run, event.at, { status: 'failed', reason: 'timed out' });
  }
}

/** The run after its jobs' counters moved by `tally` (what the ledger adds atomically). */
export function withTally(run: Run, tally: JobTally): Run {
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
  };
}

/**
 * A run's last jobs recount it when they finish: its running counters can fall short of its jobs (a crash between a
 * job's write and its count), and a run whose count came up short would otherwise wait for the watchdog.
 */
export const tailRecountJobs = 10;

/**
 * True when a recount of the run's jobs may finish it: it is running and its counters leave at most
 * `tailRecountJobs` jobs unfinished. The counters only fall short, never run ahead for long: the recount decides.
 */
export function mayBeDone(run: Run): boolean {
  const { total, succeeded, failed } = run.counters;
  return run.status === 'running' && total - succeeded - failed <= tailRecountJobs;
}

type RunChanges = { readonly [Key in keyof Run]?: Run[Key] | undefined };

function changed(run: Run, at: string, changes: RunChanges): RunDecision {
  const next: Record<string, unknown> = { ...run, ...changes, updatedAt: at };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete next[key];
  return { run: next as Run, finished: false };
}

function finish(run: Run, at: string, changes: RunChanges): RunDecision {
  const decision = changed(run, at, { ...changes, finishedAt: at });
  return 'run' in decision ? { run: decision.run, finished: true } : decision;
}

function countedFields(counted: CountedJobs): RunChanges {
  return {
    counters: counted.counters,
    waitingForRateLimit: counted.waitingForRateLimit,
    deferrals: counted.deferrals,
  };
}

function sameCounts(run: Run, counted: CountedJobs): boolean {
  return (
    JSON.stringify(run.counters) === JSON.stringify(counted.counters) &&
    run.waitingForRateLimit === counted.waitingForRateLimit &&
    run.deferrals === counted.deferrals
  );
}
