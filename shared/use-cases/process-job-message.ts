import { getDataset } from '#shared/datasets/registry.ts';
import { dateJobId } from '#shared/domain/date-jobs.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import { abandonedAttemptError, type JobEvent } from '#shared/domain/job-transitions.ts';
import { codeOnDate } from '#shared/domain/request-planning.ts';
import { type DateJobMember, finishedJobStatuses, type Job } from '#shared/domain/run.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import { metricNames } from '#shared/observability/metric-names.ts';
import { noMetrics } from '#shared/observability/metrics.ts';
import type { JobUpdate, RunLedger } from '#shared/ports/run-ledger.ts';
import { PermanentUpstreamError } from '#shared/ports/upstream-errors.ts';
import { allJobs } from '#shared/use-cases/all-jobs.ts';
import { type FetchPagesDeps, fetchJobPages } from '#shared/use-cases/fetch-job-pages.ts';
import { type AttemptKind, dimensionsOf, JobAttempt } from '#shared/use-cases/job-attempt.ts';
import { failJobs, jobErrorOf, type SettleDeps, settleFailure, succeedJobs } from '#shared/use-cases/settle-attempt.ts';

export { RetryLaterError } from '#shared/use-cases/job-attempt.ts';

export type FetchWorkerDeps = FetchPagesDeps & SettleDeps;

/** The invocation a message is handled in. */
export interface Invocation {
  /** When the invocation ends (Lambda's deadline), in epoch ms. */
  readonly deadlineMs: number;
}

/**
 * Runs the jobs of one message (design §2, fetch worker). Each job's attempt starts in its record, holding the job
 * until the invocation's deadline, so that another delivery of the message (a duplicate, the watchdog's re-send)
 * leaves it alone, and a job that has finished is never fetched again. The answer is then fetched page by page,
 * each page stored before the next is asked for (`fetchJobPages`), and the jobs succeed — a date-wide message's
 * jobs in one batch, counted once on their run. Whatever stops the attempt is settled by what happens next
 * (`settleFailure`): a rate limit defers the jobs without spending their attempts, a permanent error fails and
 * dead-letters them, anything else retries them with backoff until `maxAttempts`.
 */
export async function processJobMessage(
  message: JobMessage,
  deps: FetchWorkerDeps,
  invocation: Invocation,
): Promise<void> {
  const attempt = await startAttempt(message, deps, invocation);
  if (attempt === undefined) return;
  const failWith = (jobs: readonly Job[], error: unknown): Promise<void> =>
    failJobs(attempt, jobs, jobErrorOf(error), deps);
  try {
    if (attempt.dataset === undefined) {
      throw new PermanentUpstreamError(`unknown dataset ${message.dataset}`, { endpoint: message.dataset });
    }
    if (message.version === 1) attempt.dataset.paramsSchema.parse(message.params);
    const checkpoint = await fetchJobPages(attempt, deps, failWith);
    await recordUpstreamRequests(attempt, deps);
    if (attempt.jobs.length > 0) await succeedJobs(attempt, checkpoint, deps);
    await deps.rateLimiter.recovered(deps.dataSource.id);
  } catch (error) {
    await recordUpstreamRequests(attempt, deps);
    await settleFailure(attempt, error, deps);
  }
}

/**
 * Starts an attempt of each job of the message that is neither finished nor held by another attempt. A job whose
 * attempts are all spent (the last ones ended without an outcome: the worker timed out or crashed) fails instead.
 */
async function startAttempt(
  message: JobMessage,
  deps: FetchWorkerDeps,
  invocation: Invocation,
): Promise<JobAttempt | undefined> {
  const at = deps.clock.now().toISOString();
  const holder = globalThis.crypto.randomUUID();
  const start = { kind: 'start' as const, at, holder, leaseExpiresAt: new Date(invocation.deadlineMs).toISOString() };
  const { kind, updates, members } = await workOf(message, start, deps.runLedger);
  let results: Awaited<ReturnType<RunLedger['updateJobs']>>['jobs'];
  try {
    ({ jobs: results } = await deps.runLedger.updateJobs(message.runId, updates));
  } catch (error) {
    // A message for a run that is not in the ledger has nothing to record its outcome in.
    if (!(error instanceof NotFoundError)) throw error;
    deps.log.error('job message for an unknown run', { runId: message.runId, error });
    return undefined;
  }
  const attempt = new JobAttempt({
    kind,
    members,
    message,
    dataset: getDataset(message.dataset),
    holder,
    startedAtMs: Date.parse(at),
    deadlineMs: invocation.deadlineMs,
    jobs: results.flatMap((result) => (result.applied ? [result.job] : [])),
  });
  for (const result of results) {
    if (!result.applied && result.refused === 'unknown') {
      deps.log.error('job message for an unknown job', { runId: message.runId, jobId: result.jobId });
    }
  }
  const exhausted = results.flatMap((result) =>
    !result.applied && result.refused === 'exhausted' && result.job !== undefined ? [result.job] : [],
  );
  for (const job of exhausted) {
    await failJobs(attempt, [job], abandonedAttemptError(job.attemptsMade), deps, { asHolder: false });
  }
  const held = results.filter((result) => !result.applied && result.refused === 'held').length;
  if (held > 0) deps.log.info('jobs held by another attempt: left alone', { runId: message.runId, count: held });
  if (attempt.jobs.length === 0) return undefined;
  return attempt;
}

/**
 * What a message asks for: its one job; the date job of its date, with the members it fetches for; or, for a run
 * dispatched before date jobs existed, the run's unfinished jobs of that date.
 */
async function workOf(
  message: JobMessage,
  start: JobEvent,
  ledger: RunLedger,
): Promise<{ kind: AttemptKind; updates: JobUpdate[]; members?: DateJobMember[] }> {
  if (message.version === 1) {
    return {
      kind: message.backfillId === undefined ? 'single' : 'range',
      updates: [{ jobId: message.jobId, event: start }],
    };
  }
  const dateJob = await ledger.getJob(message.runId, dateJobId(message.date));
  if (dateJob !== undefined) {
    const members = await ledger.getMembers(message.runId, dateJob.jobId);
    return { kind: 'date', updates: [{ jobId: dateJob.jobId, seen: dateJob, event: start }], members };
  }
  const onDate = await allJobs(
    ledger,
    message.runId,
    (job) => !finishedJobStatuses.has(job.status) && codeOnDate(job.params) === message.date,
  );
  return { kind: 'legacy', updates: onDate.map((job) => ({ jobId: job.jobId, seen: job, event: start })) };
}

async function recordUpstreamRequests(attempt: JobAttempt, deps: FetchWorkerDeps): Promise<void> {
  const requests = attempt.takeUncountedRequests();
  if (requests === 0) return;
  await deps.runLedger.addUpstreamRequests(attempt.message.runId, requests);
  (deps.metrics ?? noMetrics).count(metricNames.upstreamRequests, requests, dimensionsOf(attempt.message));
}
