import type { DataSourceId } from '#shared/domain/data-source.ts';
import { dateJobId } from '#shared/domain/date-jobs.ts';
import type { JobEvent } from '#shared/domain/job-transitions.ts';
import { isHeld } from '#shared/domain/job-transitions.ts';
import { codeOnDate } from '#shared/domain/request-planning.ts';
import { finishedJobStatuses, type Job, type Run } from '#shared/domain/run.ts';
import { deadlineOf, stuckDispatchAfterMs } from '#shared/domain/run-transitions.ts';
import type { Log } from '#shared/observability/logger.ts';
import type { MetricsSink } from '#shared/observability/metrics.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { DeadLetterStore, JobDeadLetter } from '#shared/ports/dead-letter-store.ts';
import type { JobQueue } from '#shared/ports/job-queue.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import { allJobs } from '#shared/use-cases/all-jobs.ts';
import type { DispatchOutcome, DispatchRequest } from '#shared/use-cases/dispatch-run.ts';
import { messagesForJobs } from '#shared/use-cases/job-messages.ts';
import { type RunFinishedDeps, reportFinish } from '#shared/use-cases/run-finished.ts';

/**
 * A job's message counts as lost once it is this long overdue: its due time (or its attempt's lapsed lease) plus the
 * job queue's visibility timeout, which brings back a message whose worker crashed, plus a margin.
 */
export const overdueMessageAfterMs = 10 * 60_000;
/** Dead letters looked at per data source and pass, for messages the job queue moved there itself. */
const deadLettersPerPass = 500;

/** What one supervision pass did. */
export interface SupervisionReport {
  /** Runs stuck `dispatching` whose dispatch was resumed. */
  readonly resumed: string[];
  /** Runs past their deadline: failed `timed out`, their unfinished jobs `run_timed_out`. */
  readonly timedOut: string[];
  /** Runs this pass finished after recounting their jobs. */
  readonly finished: string[];
  /** Job messages sent again because the last one was long overdue. */
  resent: number;
  /** Jobs failed because the job queue moved their message to its dead-letter queue. */
  deadLettered: number;
}

export interface SuperviseRunsDeps extends RunFinishedDeps {
  readonly runLedger: RunLedger;
  readonly queues: Readonly<Record<DataSourceId, JobQueue>>;
  readonly deadLetterStores: Readonly<Record<DataSourceId, DeadLetterStore>>;
  /** Dispatches a run again exactly as the dispatcher does (`dispatchRun` with the run's id). */
  readonly dispatch: (request: DispatchRequest) => Promise<DispatchOutcome>;
  readonly clock: Clock;
  readonly log: Log;
  readonly metrics?: MetricsSink;
}

/**
 * The watchdog of runs that began (every 5 minutes, beside the missed-run check): whatever crashed where, it brings
 * each unfinished run to its true end.
 * - A run stuck `dispatching` (its dispatcher crashed or timed out between claiming and enqueueing, on any trigger)
 *   is dispatched again, which resumes it.
 * - A run past its deadline: its unfinished jobs end `failed` (`run_timed_out`), so a late message does nothing,
 *   and the run `failed` (`timed out`).
 * - A job whose message is long overdue (lost between a reopen and its send, or never sent) is sent again; a
 *   duplicate is harmless, as no delivery fetches a job that another attempt holds or that has finished.
 * - A job whose message the job queue moved to its dead-letter queue (its receive limit, behind the ledger's back)
 *   ends `failed`, dead-lettered, saying so.
 * - The run's counters are recounted from its jobs, which finishes a run whose last count was lost in a crash.
 * One run that cannot be repaired now is logged and left for the next pass; the others go on.
 */
export async function superviseRuns(deps: SuperviseRunsDeps): Promise<SupervisionReport> {
  const report: SupervisionReport = { resumed: [], timedOut: [], finished: [], resent: 0, deadLettered: 0 };
  for (const dataSource of Object.keys(deps.deadLetterStores) as DataSourceId[]) {
    try {
      await failJobsTheQueueDeadLettered(dataSource, deps, report);
    } catch (error) {
      deps.log.error('dead-letter check failed', { dataSource, error });
    }
  }
  let cursor: string | undefined;
  do {
    const page = await deps.runLedger.listOpenRuns({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    for (const run of page.items) {
      try {
        await superviseRun(run, deps, report);
      } catch (error) {
        deps.log.error('run supervision failed', { groupId: run.groupId, runId: run.runId, error });
      }
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return report;
}

async function superviseRun(run: Run, deps: SuperviseRunsDeps, report: SupervisionReport): Promise<void> {
  const nowMs = deps.clock.now().getTime();
  const at = new Date(nowMs).toISOString();
  if (run.status === 'waiting') {
    // Its dependencies are judged again: met, it runs; failed, it is skipped; past its deadline, it fails.
    const outcome = await deps.dispatch({
      groupId: run.groupId,
      scheduledTime: run.scheduledTime,
      trigger: run.trigger,
      runId: run.runId,
    });
    if (outcome.outcome === 'failed') report.timedOut.push(run.runId);
    return;
  }
  if (run.status === 'dispatching') {
    if (Date.parse(run.updatedAt) + stuckDispatchAfterMs > nowMs) return;
    const outcome = await deps.dispatch({
      groupId: run.groupId,
      scheduledTime: run.scheduledTime,
      trigger: run.trigger,
      runId: run.runId,
    });
    if (outcome.outcome === 'dispatched' || outcome.outcome === 'failed') {
      report.resumed.push(run.runId);
      deps.log.warn('interrupted dispatch resumed', { groupId: run.groupId, runId: run.runId });
    }
    return;
  }
  if (deadlineOf(run) <= nowMs) {
    if (await timeOut(run, at, deps)) report.timedOut.push(run.runId);
    return;
  }
  const unfinished = await allJobs(deps.runLedger, run.runId, isUnfinished);
  report.resent += await resendOverdue(run, unfinished, nowMs, deps);
  const change = await deps.runLedger.recountRun(run.runId, at);
  if (change.finished !== undefined) {
    report.finished.push(run.runId);
    deps.log.warn('run finished by the watchdog', { groupId: run.groupId, runId: run.runId });
  }
  await reportFinish(change, deps);
}

/**
 * The run's unfinished jobs fail (`run_timed_out`); the recount that follows finishes the run `failed`, `timed out`.
 * The run is read again first: a reopen since the listing gave it a fresh deadline.
 */
async function timeOut(listed: Run, at: string, deps: SuperviseRunsDeps): Promise<boolean> {
  const run = await deps.runLedger.getRun(listed.runId);
  if (run === undefined || run.status !== 'running' || deadlineOf(run) > Date.parse(at)) return false;
  const unfinished = await allJobs(deps.runLedger, run.runId, isUnfinished);
  const deadlineAt = new Date(deadlineOf(run)).toISOString();
  const change = await deps.runLedger.updateJobs(
    run.runId,
    unfinished.map((job) => ({ jobId: job.jobId, seen: job, event: { kind: 'time-out' as const, at, deadlineAt } })),
  );
  await reportFinish(change, deps);
  await reportFinish(await deps.runLedger.recountRun(run.runId, at), deps);
  deps.log.warn('run timed out', { groupId: run.groupId, runId: run.runId, deadlineAt, count: unfinished.length });
  return true;
}

/** Sends the messages of jobs that are long overdue again, planned as the dispatcher plans them. */
async function resendOverdue(run: Run, jobs: readonly Job[], nowMs: number, deps: SuperviseRunsDeps): Promise<number> {
  const at = new Date(nowMs).toISOString();
  const overdue = jobs.filter((job) => isOverdue(job, nowMs));
  if (overdue.length === 0) return 0;
  const messages = messagesForJobs(run, overdue);
  const sent = await deps.queues[run.dataSource].send(messages.map(({ message }) => message));
  const unsent = new Set(sent.failed.map(({ message }) => message));
  const resent = messages.filter(({ message }) => !unsent.has(message)).flatMap(({ jobs: carried }) => carried);
  await deps.runLedger.updateJobs(
    run.runId,
    resent.map((job) => ({ jobId: job.jobId, seen: job, event: { kind: 'resend' as const, at, messageDueAt: at } })),
  );
  deps.log.warn('overdue job messages sent again', { groupId: run.groupId, runId: run.runId, count: resent.length });
  return resent.length;
}

/** A job waits on a message that should have come long ago: not held, and due (or lapsed) past the margin. */
function isOverdue(job: Job, nowMs: number): boolean {
  const at = new Date(nowMs).toISOString();
  if (finishedJobStatuses.has(job.status) || isHeld(job, at)) return false;
  const dueMs =
    job.status === 'running' && job.lease !== undefined
      ? Date.parse(job.lease.expiresAt)
      : Date.parse(job.messageDueAt ?? job.updatedAt);
  return dueMs + overdueMessageAfterMs <= nowMs;
}

/**
 * Jobs whose message the job queue moved to its dead-letter queue after its receive limit end `failed`, dead-lettered,
 * with the letter's reason; the letters stay for a redrive, which reopens the jobs.
 */
async function failJobsTheQueueDeadLettered(
  dataSource: DataSourceId,
  deps: SuperviseRunsDeps,
  report: SupervisionReport,
): Promise<void> {
  const letters = (await deps.deadLetterStores[dataSource].peek({ limit: deadLettersPerPass })).filter(
    (letter): letter is JobDeadLetter => letter.kind === 'job' && letter.movedBy === 'queue',
  );
  const byRun = new Map<string, JobDeadLetter[]>();
  for (const letter of letters) byRun.set(letter.message.runId, [...(byRun.get(letter.message.runId) ?? []), letter]);
  const at = deps.clock.now().toISOString();
  for (const [runId, runLetters] of byRun) {
    if ((await deps.runLedger.getRun(runId)) === undefined) continue;
    const jobs = await allJobs(deps.runLedger, runId, isUnfinished);
    const updates = runLetters.flatMap((letter) => {
      const { message } = letter;
      const event: JobEvent = {
        kind: 'dead-lettered-by-queue',
        at,
        error: { code: letter.error.code, message: `${letter.error.message}; redrive it from the dead-letter queue` },
        // A letter of unknown age is taken as the job's current message.
        sentAt: letter.sentAt ?? at,
      };
      const carried =
        message.version === 1
          ? jobs.filter((job) => job.jobId === message.jobId)
          : jobs.filter((job) => job.jobId === dateJobId(message.date) || codeOnDate(job.params) === message.date);
      return carried.map((job) => ({ jobId: job.jobId, seen: job, event }));
    });
    if (updates.length === 0) continue;
    const change = await deps.runLedger.updateJobs(runId, updates);
    const failed = change.jobs.filter((result) => result.applied).length;
    report.deadLettered += failed;
    if (failed > 0) deps.log.warn('jobs failed: the job queue dead-lettered their message', { runId, count: failed });
    await reportFinish(change, deps);
  }
}

function isUnfinished(job: Job): boolean {
  return !finishedJobStatuses.has(job.status);
}
