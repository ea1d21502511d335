import { businessDateOf } from '#shared/domain/business-date.ts';
import { defaultSettings } from '#shared/domain/data-source-settings.ts';
import { isPermanentError, isSchemaError } from '#shared/domain/errors.ts';
import { planWindow, requestedDates, withinWindow } from '#shared/domain/plan-windows.ts';
import type { FetchCheckpoint, Job, JobError } from '#shared/domain/run.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import { metricNames } from '#shared/observability/metric-names.ts';
import { noMetrics } from '#shared/observability/metrics.ts';
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
import { type RunFinishedDeps, reportFinish } from '#shared/use-cases/run-finished.ts';

/** What settling an attempt's jobs needs. */
export interface SettleDeps extends RunFinishedDeps {
  readonly runLedger: RunLedger;
  readonly dataSource: Pick<DataSource, 'id'>;
  readonly deadLetters: DeadLetterQueue;
  /** Where a data source's credentials are marked failing, and its plan read (a 403 outside the plan's window). */
  readonly settingsStore: Pick<DataSourceSettingsStore, 'recordHealth' | 'get'>;
  readonly rateLimiter: RateLimiter;
  /** The data source's own job queue: deferred jobs are sent back to it with a delay. */
  readonly requeue: JobQueue;
  readonly clock: Clock;
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
      const [rowsWritten, rowsKept] = members?.rows ?? rowsOf(attempt, job, checkpoint);
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
          ...(attempt.kind === 'range' ? { rowsByDate: checkpoint.rows } : {}),
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

/** The rows a job wrote and kept: its own, a legacy job's code's, or a range request's over every date. */
function rowsOf(attempt: JobAttempt, job: Job, checkpoint: FetchCheckpoint): [number, number] {
  if (attempt.kind === 'range') {
    return Object.values(checkpoint.rows).reduce<[number, number]>(
      ([written, kept], [dateWritten, dateKept]) => [written + dateWritten, kept + dateKept],
      [0, 0],
    );
  }
  return checkpoint.rows[attempt.kind === 'single' ? job.jobId : issueCodeOf(job)] ?? [0, 0];
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
  const outside = error instanceof CredentialsError ? await outsidePlanError(attempt, error, deps) : undefined;
  const lastError = outside ?? jobErrorOf(error);
  const permanent =
    isPermanentError(error) ||
    error instanceof PermanentUpstreamError ||
    error instanceof CredentialsError ||
    error instanceof InvalidRowsError;
  // A 403 for dates outside the plan says nothing of the credentials: only the job fails.
  if (error instanceof CredentialsError && outside === undefined) {
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

/**
 * The error of a 403 for dates outside the plan's window (jquants-v2.md §2: data outside the plan answers 403), or
 * undefined when the request's dates are inside it (then the credentials are what failed).
 */
async function outsidePlanError(
  attempt: JobAttempt,
  error: CredentialsError,
  deps: SettleDeps,
): Promise<JobError | undefined> {
  if (error.status !== 403) return undefined;
  const { message } = attempt;
  const dates = requestedDates(message.version === 1 ? message.params : { date: message.date });
  if (dates === undefined) return undefined;
  const now = deps.clock.now();
  const settings =
    (await deps.settingsStore.get(deps.dataSource.id)) ?? defaultSettings(deps.dataSource.id, now.toISOString());
  const window = planWindow(deps.dataSource.id, settings.plan, businessDateOf(now, 'Asia/Tokyo'));
  if (window === undefined || withinWindow(window, dates.from, dates.to)) return undefined;
  return {
    code: 'outside_plan',
    message: `${dates.from}…${dates.to} is outside what the ${settings.plan} plan serves (${window.earliest}…${window.latest}): the upstream answered 403`,
  };
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
