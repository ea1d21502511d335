import { isPermanentError, isSchemaError } from '#shared/domain/errors.ts';
import type { FetchCheckpoint, Job, JobError } from '#shared/domain/run.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import type { Log } from '#shared/observability/logger.ts';
import { metricNames } from '#shared/observability/metric-names.ts';
import { type MetricsSink, noMetrics } from '#shared/observability/metrics.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { DataSource } from '#shared/ports/data-source.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { DeadLetterQueue } from '#shared/ports/dead-letter-queue.ts';
import type { JobQueue } from '#shared/ports/job-queue.ts';
import { RateLimitDeferral, type RateLimiter } from '#shared/ports/rate-limiter.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import {
  CredentialsError,
  PermanentUpstreamError,
  RateLimitedError,
  UpstreamError,
} from '#shared/ports/upstream-errors.ts';
import { deferJobs } from '#shared/use-cases/defer-jobs.ts';
import { AttemptTimeLimitError, InvalidRowsError } from '#shared/use-cases/fetch-job-pages.ts';
import { dimensionsOf, issueCodeOf, type JobAttempt, RetryLaterError } from '#shared/use-cases/job-attempt.ts';
import { reportFinish } from '#shared/use-cases/run-finished.ts';

/** What settling an attempt's jobs needs. */
export interface SettleDeps {
  readonly runLedger: RunLedger;
  readonly dataSource: Pick<DataSource, 'id'>;
  readonly deadLetters: DeadLetterQueue;
  readonly settingsStore: Pick<DataSourceSettingsStore, 'recordHealth'>;
  readonly rateLimiter: RateLimiter;
  /** The data source's own job queue: deferred jobs are sent back to it with a delay. */
  readonly requeue: JobQueue;
  readonly clock: Clock;
  readonly log: Log;
  /** @default noMetrics */
  readonly metrics?: MetricsSink;
  /** First retry's backoff; later ones double it. @default 10 */
  readonly retryBaseDelaySeconds?: number;
  /** A job waiting this long without fetching a page counts as stalled (metric and alarm). @default 1 hour */
  readonly stalledAfterMs?: number;
}

/** Backoff before attempt `attemptsMade + 1`: `baseSeconds` doubling per attempt, at most 15 min, ±50 % jitter. */
export function retryDelaySeconds(attemptsMade: number, baseSeconds = 10): number {
  const base = Math.min(900, baseSeconds * 2 ** Math.max(0, attemptsMade - 1));
  return Math.max(1, Math.round(base * (0.5 + Math.random())));
}

/**
 * Records the attempt's jobs as succeeded, each with the rows counted under its key in `checkpoint`. A date job
 * first stores its members' outcomes (its rejected members failed, with their errors), then succeeds with their
 * counts; its rejected members get one dead letter, of the date, which a redrive turns into a rerun of them.
 */
export async function succeedJobs(attempt: JobAttempt, checkpoint: FetchCheckpoint, deps: SettleDeps): Promise<void> {
  const { message } = attempt;
  const at = deps.clock.now().toISOString();
  const members = attempt.kind === 'date' ? await recordMemberOutcomes(attempt, checkpoint, deps) : undefined;
  // The letter goes first, as with any failed job: a crash after it can only leave a letter a redrive discards.
  if (members?.error !== undefined) {
    await deps.deadLetters.send({
      message,
      error: members.error,
      attemptsMade: attempt.jobs[0]?.attemptsMade ?? 1,
      failedAt: at,
    });
  }
  const succeededBefore = attempt.jobs[0]?.members?.succeeded ?? 0;
  const change = await deps.runLedger.updateJobs(
    message.runId,
    attempt.jobs.map((job) => {
      const [rowsWritten, rowsKept] = members?.rows ??
        checkpoint.rows[attempt.kind === 'single' ? job.jobId : issueCodeOf(job)] ?? [0, 0];
      return {
        jobId: job.jobId,
        seen: job,
        event: {
          kind: 'succeed' as const,
          at,
          holder: attempt.holder,
          durationMs: attempt.elapsedMs(),
          rowsWritten,
          rowsKept,
          upstreamRequests: attempt.kind === 'legacy' ? 0 : attempt.upstreamRequests,
          ...(members === undefined ? {} : { members: members.counts }),
          ...(members?.error === undefined ? {} : { error: members.error }),
        },
      };
    }),
  );
  attempt.record(change.jobs);
  const succeeded =
    members === undefined
      ? change.jobs.filter((result) => result.applied).length
      : members.counts.succeeded - succeededBefore;
  (deps.metrics ?? noMetrics).count(metricNames.jobsSucceeded, succeeded, dimensionsOf(message));
  if (members !== undefined && members.counts.failed > 0) {
    (deps.metrics ?? noMetrics).count(metricNames.jobsFailed, members.counts.failed, dimensionsOf(message));
  }
  await reportFinish(change, deps);
  deps.log.info('jobs succeeded', { runId: message.runId, dataset: message.dataset, count: succeeded });
}

/**
 * Stores a date job's members with this attempt's outcomes: the ones it fetched for succeeded with their rows, the
 * rejected ones failed. Returns what the date job's own outcome carries: its members all told (an earlier attempt's
 * included), so that an attempt that died between the two writes is made good by the next.
 */
async function recordMemberOutcomes(
  attempt: JobAttempt,
  checkpoint: FetchCheckpoint,
  deps: SettleDeps,
): Promise<{ counts: { succeeded: number; failed: number }; rows: [number, number]; error?: JobError }> {
  const members = attempt.members.map((member) => {
    if (member.outcome?.status === 'succeeded') return member;
    const rejection = attempt.rejections.get(member.code);
    if (rejection !== undefined) {
      return { ...member, outcome: { status: 'failed' as const, rowsWritten: 0, rowsKept: 0, error: rejection } };
    }
    const [rowsWritten, rowsKept] = checkpoint.rows[member.code] ?? [0, 0];
    return { ...member, outcome: { status: 'succeeded' as const, rowsWritten, rowsKept } };
  });
  await deps.runLedger.saveMembers(attempt.message.runId, attempt.jobs[0]?.jobId ?? '', members);
  let succeeded = 0;
  let written = 0;
  let kept = 0;
  for (const { outcome } of members) {
    if (outcome?.status !== 'succeeded') continue;
    succeeded++;
    written += outcome.rowsWritten;
    kept += outcome.rowsKept;
  }
  const rejected = [...attempt.rejections.entries()];
  const error =
    rejected.length === 0
      ? undefined
      : {
          code: 'invalid_data',
          message: `${rejected.length} member job(s) had rows that broke the schema: ${rejected
            .slice(0, 3)
            .map(([code, why]) => `${code}: ${why.message}`)
            .join('; ')}`.slice(0, 1000),
        };
  return {
    counts: { succeeded, failed: members.length - succeeded },
    rows: [written, kept],
    ...(error === undefined ? {} : { error }),
  };
}

/**
 * Fails jobs for good: each gets a dead letter (stored before the job is marked, so a crash in between can only
 * duplicate a letter) and ends `failed`, dead-lettered, with the error.
 */
export async function failJobs(
  attempt: JobAttempt,
  jobs: readonly Job[],
  error: JobError,
  deps: SettleDeps,
  options: { readonly asHolder?: boolean } = {},
): Promise<void> {
  const { message } = attempt;
  for (const job of jobs) {
    await deps.deadLetters.send({
      message: letterMessageOf(message, job),
      error,
      attemptsMade: job.attemptsMade,
      failedAt: deps.clock.now().toISOString(),
    });
  }
  const at = deps.clock.now().toISOString();
  const change = await deps.runLedger.updateJobs(
    message.runId,
    jobs.map((job) => ({
      jobId: job.jobId,
      seen: job,
      event: {
        kind: 'fail' as const,
        at,
        ...(options.asHolder === false ? {} : { holder: attempt.holder }),
        error,
        deadLettered: true,
        durationMs: attempt.elapsedMs(),
        upstreamRequests: message.version === 1 ? attempt.upstreamRequests : 0,
      },
    })),
  );
  attempt.record(change.jobs);
  attempt.release(jobs.map((job) => job.jobId));
  const failed = change.jobs.filter((result) => result.applied).length;
  (deps.metrics ?? noMetrics).count(metricNames.jobsFailed, failed, dimensionsOf(message));
  for (const job of jobs) {
    deps.log.warn('job failed and was dead-lettered', {
      runId: message.runId,
      jobId: job.jobId,
      dataset: message.dataset,
      attemptsMade: job.attemptsMade,
      error,
    });
  }
  await reportFinish(change, deps);
}

/**
 * Settles the jobs of an attempt that did not get to the end: a rate limit defers them (their attempt given back),
 * a permanent error or exhausted attempts fail them, anything else retries them with backoff (`RetryLaterError`).
 * Whatever the attempt stored stays stored, and its position is kept for the next attempt.
 */
export async function settleFailure(attempt: JobAttempt, error: unknown, deps: SettleDeps): Promise<void> {
  if (error instanceof RateLimitedError || error instanceof RateLimitDeferral) {
    await deferJobs(attempt, error, deps);
    return;
  }
  const { message } = attempt;
  const lastError = jobErrorOf(error);
  const permanent =
    isPermanentError(error) ||
    error instanceof PermanentUpstreamError ||
    error instanceof CredentialsError ||
    error instanceof InvalidRowsError;
  if (error instanceof CredentialsError) {
    await deps.settingsStore.recordHealth(deps.dataSource.id, {
      status: 'failing',
      reason: error.message,
      checkedAt: deps.clock.now().toISOString(),
    });
  }
  const exhausted = attempt.jobs.filter((job) => permanent || job.attemptsMade >= job.maxAttempts);
  if (exhausted.length > 0) await failJobs(attempt, exhausted, lastError, deps);
  const retrying = attempt.jobs;
  if (retrying.length === 0) return;
  const delaySeconds = Math.max(
    ...retrying.map((job) => retryDelaySeconds(job.attemptsMade, deps.retryBaseDelaySeconds)),
  );
  const at = deps.clock.now();
  const messageDueAt = new Date(at.getTime() + delaySeconds * 1000).toISOString();
  const change = await deps.runLedger.updateJobs(
    message.runId,
    retrying.map((job) => ({
      jobId: job.jobId,
      seen: job,
      event: { kind: 'retry' as const, at: at.toISOString(), holder: attempt.holder, error: lastError, messageDueAt },
    })),
  );
  attempt.record(change.jobs);
  const retried = change.jobs.filter((result) => result.applied).length;
  (deps.metrics ?? noMetrics).count(metricNames.jobsRetried, retried, dimensionsOf(message));
  if (retried > 0) throw new RetryLaterError(delaySeconds, { cause: error });
}

/** The message that redrives a failed job: a date job's date-wide one, or the single job's own. */
function letterMessageOf(message: JobMessage, job: Job): JobMessage {
  if (job.members !== undefined) return message;
  const { runId, groupId, dataSource, dataset, businessDate } = message;
  return { version: 1, runId, groupId, dataSource, dataset, businessDate, jobId: job.jobId, params: job.params };
}

/** The error a job records for what ended its attempt. */
export function jobErrorOf(error: unknown): JobError {
  if (error instanceof AttemptTimeLimitError) return { code: 'attempt_time_limit', message: error.message };
  if (error instanceof UpstreamError) return { code: error.code, message: error.message };
  if (isSchemaError(error)) {
    return { code: 'invalid_data', message: `the data broke its schema: ${error.message.slice(0, 500)}` };
  }
  if (error instanceof Error) {
    return { code: 'internal_error', message: `${error.name}: ${error.message}`.slice(0, 1000) };
  }
  return { code: 'internal_error', message: String(error).slice(0, 1000) };
}
