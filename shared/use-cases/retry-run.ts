import { NotFoundError } from '#shared/domain/errors.ts';
import { isReopenable } from '#shared/domain/job-transitions.ts';
import type { Job, Run } from '#shared/domain/run.ts';
import { allJobs } from '#shared/use-cases/all-jobs.ts';
import { messagesForJobs } from '#shared/use-cases/job-messages.ts';
import {
  type RedriveCounts,
  type RedriveDeadLettersDeps,
  redriveDeadLetters,
} from '#shared/use-cases/redrive-dead-letters.ts';
import { failAgain, reopenJobs } from '#shared/use-cases/reopen-jobs.ts';

/** What a run retry did. */
export interface RetryRunResult {
  /** The run after the retry (back to `running` when jobs were re-queued). */
  readonly run: Run;
  /** Failed jobs re-queued: taken out of the dead-letter queue, or re-sent from the run ledger. */
  readonly retried: number;
  /** The dead-letter pass over the run's letters. */
  readonly deadLetters: RedriveCounts;
  /** Jobs that could not be sent: they are failed again. */
  readonly failed: number;
  /** Stopped at the limit: call again for the rest. */
  readonly more: boolean;
}

/** Failed jobs read from the ledger per call, so that one call fits the admin function's timeout. */
const defaultLimit = 500;
/** Jobs reopened and sent together. */
const jobsPerStep = 100;

/**
 * Re-queues a run's failed jobs (design §5, `POST /runs/{runId}/retry`), dead-lettered or not. First the run's
 * letters are redriven (so those leave the dead-letter queue: see `redriveDeadLetters`); then every job still
 * `failed` in the ledger — its letter was not found in this pass, or it has none — is reopened and sent afresh,
 * planned like a dispatch (one date-wide message for many codes of a date). A letter left behind in the queue
 * for such a job is harmless: a later redrive removes it unsent once the job has succeeded. The run goes back to
 * `running` and finishes again with its jobs.
 */
export async function retryRun(
  runId: string,
  deps: RedriveDeadLettersDeps,
  options: { readonly limit?: number } = {},
): Promise<RetryRunResult> {
  const run = await deps.runLedger.getRun(runId);
  if (run === undefined) throw new NotFoundError('run', runId);
  const limit = options.limit ?? defaultLimit;
  const redrive = await redriveDeadLetters({ runId, dataSource: run.dataSource }, deps);
  let retried = redrive.redriven;
  let failed = redrive.failed;
  const { jobs, more } = await failedJobs(run.runId, limit, deps);
  for (let start = 0; start < jobs.length; start += jobsPerStep) {
    const step = await requeue(run, jobs.slice(start, start + jobsPerStep), deps);
    retried += step.retried;
    failed += step.failed;
  }
  deps.log.info('run retried', { groupId: run.groupId, runId: run.runId, count: retried, failed });
  const { dataSources: _dataSources, ...deadLetters } = redrive;
  return {
    run: (await deps.runLedger.getRun(run.runId)) ?? run,
    retried,
    deadLetters,
    failed,
    more: more || redrive.more,
  };
}

/** The run's jobs that may run again (failed ones, date jobs with failed members), as stored, up to `limit`. */
async function failedJobs(
  runId: string,
  limit: number,
  deps: RedriveDeadLettersDeps,
): Promise<{ jobs: Job[]; more: boolean }> {
  const jobs = await allJobs(deps.runLedger, runId, isReopenable);
  return { jobs: jobs.slice(0, limit), more: jobs.length > limit };
}

/**
 * Reopens the jobs, then sends them: a job is sent only once it may run again. A crash between the two leaves the
 * jobs queued with their message due now: the watchdog sends it when it is overdue.
 */
async function requeue(
  run: Run,
  jobs: readonly Job[],
  deps: RedriveDeadLettersDeps,
): Promise<{ retried: number; failed: number }> {
  const reopened = await reopenJobs(run.runId, jobs, deps);
  const messages = messagesForJobs(run, reopened);
  const sent = await deps.queues[run.dataSource].send(messages.map(({ message }) => message));
  const unsent = new Set(sent.failed.map(({ message }) => message));
  const unsentJobs = messages.filter(({ message }) => unsent.has(message)).flatMap(({ jobs: failing }) => failing);
  await failAgain(run.runId, unsentJobs, deps);
  return { retried: jobsIn(reopened) - jobsIn(unsentJobs), failed: jobsIn(unsentJobs) };
}

/** The jobs reopened, a date job counting its failed members. */
function jobsIn(reopened: readonly Job[]): number {
  return reopened.reduce((count, job) => count + (job.members === undefined ? 1 : job.members.failed), 0);
}
