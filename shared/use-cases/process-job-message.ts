import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { getDataset } from '#shared/datasets/registry.ts';
import { isPermanentError, isSchemaError, NotFoundError } from '#shared/domain/errors.ts';
import { codeOnDate, rowsForCode } from '#shared/domain/request-planning.ts';
import type { Job, JobError } from '#shared/domain/run.ts';
import type { FetchDateMessage, JobMessage, RunJobMessage } from '#shared/messages/run-job-message.ts';
import type { Log } from '#shared/observability/logger.ts';
import { metricNames } from '#shared/observability/metric-names.ts';
import { type MetricDimensions, type MetricsSink, noMetrics } from '#shared/observability/metrics.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { DataSource } from '#shared/ports/data-source.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { DeadLetterQueue } from '#shared/ports/dead-letter-queue.ts';
import type { JobQueue } from '#shared/ports/job-queue.ts';
import type { MarketDataStore } from '#shared/ports/market-data-store.ts';
import { RateLimitDeferral, type RateLimiter } from '#shared/ports/rate-limiter.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import {
  CredentialsError,
  PermanentUpstreamError,
  RateLimitedError,
  UpstreamError,
} from '#shared/ports/upstream-errors.ts';

export interface FetchWorkerDeps {
  readonly runLedger: RunLedger;
  readonly marketData: MarketDataStore;
  readonly dataSource: DataSource;
  readonly deadLetters: DeadLetterQueue;
  readonly settingsStore: Pick<DataSourceSettingsStore, 'recordHealth'>;
  readonly clock: Clock;
  readonly log: Log;
  /** Paces every upstream request under the data source's limits, shared by all workers. */
  readonly rateLimiter: RateLimiter;
  /** The data source's own job queue: deferred jobs are sent back to it with a delay. */
  readonly requeue: JobQueue;
  /** Aborts the fetch when the invocation runs out of time. */
  readonly signal?: AbortSignal;
  /** @default noMetrics */
  readonly metrics?: MetricsSink;
  /** First retry's backoff; later ones double it. @default 10 */
  readonly retryBaseDelaySeconds?: number;
}

function dimensionsOf(message: JobMessage): MetricDimensions {
  return { dataSource: message.dataSource, dataset: message.dataset, group: message.groupId };
}

/** Counts a run that this job finished. */
function countFinishedRun(run: { status: string }, message: JobMessage, metrics: MetricsSink): void {
  if (run.status === 'succeeded') metrics.count(metricNames.runsSucceeded, 1, dimensionsOf(message));
  if (run.status === 'failed' || run.status === 'partially_failed') {
    metrics.count(metricNames.runsFailed, 1, dimensionsOf(message));
  }
}

/** The message's jobs will be retried: make it visible again after `delaySeconds`. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
  readonly delaySeconds: number;

  constructor(delaySeconds: number, options?: ErrorOptions) {
    super(`retry in ${delaySeconds} s`, options);
    this.delaySeconds = delaySeconds;
  }
}

/** Backoff before attempt `attemptsMade + 1`: `baseSeconds` doubling per attempt, at most 15 min, ±50 % jitter. */
export function retryDelaySeconds(attemptsMade: number, baseSeconds = 10): number {
  const base = Math.min(900, baseSeconds * 2 ** Math.max(0, attemptsMade - 1));
  return Math.max(1, Math.round(base * (0.5 + Math.random())));
}

/**
 * Runs the jobs of one message (design §2, fetch worker): each job's attempt is counted in its record, the data is
 * fetched (a date-wide message fetches once and splits the rows per job), rows are upserted by natural key and the
 * job finishes, counted once on its run. A job that has already finished (a replayed message) is skipped, so a
 * replay neither fetches, writes nor counts again. Failures are classified: permanent ones fail the job at once and
 * dead-letter it, retryable ones are retried with backoff until `maxAttempts`, then dead-lettered.
 */
export async function processJobMessage(message: JobMessage, deps: FetchWorkerDeps): Promise<void> {
  const startedAt = performance.now();
  const elapsedMs = (): number => Math.round(performance.now() - startedAt);
  const dataset = getDataset(message.dataset);
  const jobs = await startAttempts(message, deps);
  if (jobs.length === 0) return;
  if (dataset === undefined) {
    const error = new PermanentUpstreamError(`unknown dataset ${message.dataset}`, { endpoint: message.dataset });
    await settleFailure(message, jobs, error, { upstreamRequests: 0, durationMs: elapsedMs() }, deps);
    return;
  }
  // Counted as slots are taken, so a fetch that fails midway still reports the requests it made.
  let upstreamRequests = 0;
  try {
    const params = message.version === 1 ? dataset.paramsSchema.parse(message.params) : { date: message.date };
    const result = await deps.dataSource.fetch(dataset, params as Record<string, unknown>, {
      ...(deps.signal === undefined ? {} : { signal: deps.signal }),
      beforeRequest: async (endpoint) => {
        await deps.rateLimiter.acquire(deps.dataSource.id, endpoint);
        upstreamRequests++;
      },
    });
    await deps.rateLimiter.recovered(deps.dataSource.id);
    const fetchedAt = deps.clock.now().toISOString();
    const rows = result.rows.map(
      (row) => dataset.rowSchema.parse({ ...row, fetchedAt, runId: message.runId }) as Record<string, unknown>,
    );
    const rowsByJob = new Map(
      jobs.map((job) => [job.jobId, message.version === 1 ? rows : rowsForCode(rows, String(job.params.code))]),
    );
    await deps.marketData.upsertRows(dataset, [...rowsByJob.values()].flat());
    await deps.runLedger.addUpstreamRequests(message.runId, upstreamRequests);
    const at = deps.clock.now().toISOString();
    const metrics = deps.metrics ?? noMetrics;
    metrics.count(metricNames.upstreamRequests, upstreamRequests, dimensionsOf(message));
    metrics.count(metricNames.jobsSucceeded, jobs.length, dimensionsOf(message));
    for (const job of jobs) {
      const finished = await deps.runLedger.finishJob(message.runId, job.jobId, {
        status: 'succeeded',
        durationMs: elapsedMs(),
        rowsWritten: rowsByJob.get(job.jobId)?.length ?? 0,
        upstreamRequests: message.version === 1 ? upstreamRequests : 0,
        at,
      });
      if (finished.counted && finished.run.finishedAt === at) countFinishedRun(finished.run, message, metrics);
    }
    deps.log.info('jobs succeeded', {
      runId: message.runId,
      dataset: dataset.id,
      count: jobs.length,
      rows: rows.length,
    });
  } catch (error) {
    await settleFailure(message, jobs, error, { upstreamRequests, durationMs: elapsedMs() }, deps, dataset);
  }
}

/** Starts an attempt of every unfinished job of the message; finished jobs (replays) are left out. */
async function startAttempts(message: JobMessage, deps: FetchWorkerDeps): Promise<Job[]> {
  const at = deps.clock.now().toISOString();
  const jobIds = message.version === 1 ? [message.jobId] : await dateWideJobIds(message, deps.runLedger);
  const jobs: Job[] = [];
  for (const jobId of jobIds) {
    try {
      const job = await deps.runLedger.startAttempt(message.runId, jobId, at);
      if (job !== undefined) jobs.push(job);
    } catch (error) {
      // A message for a run or job that is not in the ledger has nothing to record its outcome in.
      if (!(error instanceof NotFoundError)) throw error;
      deps.log.error('job message for an unknown job', { runId: message.runId, jobId, error });
    }
  }
  return jobs;
}

async function dateWideJobIds(message: FetchDateMessage, ledger: RunLedger): Promise<string[]> {
  const jobIds: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await ledger.listJobs(message.runId, { limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const job of page.items) {
      if (job.status !== 'succeeded' && job.status !== 'failed' && codeOnDate(job.params) === message.date) {
        jobIds.push(job.jobId);
      }
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return jobIds;
}

async function settleFailure(
  message: JobMessage,
  jobs: readonly Job[],
  error: unknown,
  { upstreamRequests, durationMs }: { upstreamRequests: number; durationMs: number },
  deps: FetchWorkerDeps,
  dataset?: DatasetDefinition,
): Promise<void> {
  const metrics = deps.metrics ?? noMetrics;
  metrics.count(metricNames.upstreamRequests, upstreamRequests, dimensionsOf(message));
  if (error instanceof RateLimitedError || error instanceof RateLimitDeferral) {
    if (upstreamRequests > 0) await deps.runLedger.addUpstreamRequests(message.runId, upstreamRequests);
    metrics.count(metricNames.jobsDeferred, jobs.length, dimensionsOf(message));
    if (error instanceof RateLimitedError) {
      metrics.count(metricNames.upstreamThrottled, 1, dimensionsOf(message));
      metrics.count(metricNames.dataSourcePaused, 1, dimensionsOf(message));
    }
    await deferJobs(message, jobs, error, deps);
    return;
  }
  const lastError = jobErrorOf(error);
  const permanent =
    isPermanentError(error) || error instanceof PermanentUpstreamError || error instanceof CredentialsError;
  if (error instanceof CredentialsError) {
    await deps.settingsStore.recordHealth(deps.dataSource.id, {
      status: 'failing',
      reason: error.message,
      checkedAt: deps.clock.now().toISOString(),
    });
  }
  if (upstreamRequests > 0) await deps.runLedger.addUpstreamRequests(message.runId, upstreamRequests);
  let retryAfter = 0;
  for (const job of jobs) {
    if (permanent || job.attemptsMade >= job.maxAttempts) {
      // The letter is stored before the job is marked, so a crash in between can only duplicate a letter.
      await deps.deadLetters.send({
        message: singleJobMessage(message, job),
        error: lastError,
        attemptsMade: job.attemptsMade,
        failedAt: deps.clock.now().toISOString(),
      });
      const at = deps.clock.now().toISOString();
      const finished = await deps.runLedger.finishJob(message.runId, job.jobId, {
        status: 'failed',
        deadLettered: true,
        durationMs,
        upstreamRequests: message.version === 1 ? upstreamRequests : 0,
        lastError,
        at,
      });
      metrics.count(metricNames.jobsFailed, 1, dimensionsOf(message));
      if (finished.counted && finished.run.finishedAt === at) countFinishedRun(finished.run, message, metrics);
      deps.log.warn('job failed and was dead-lettered', {
        runId: message.runId,
        jobId: job.jobId,
        dataset: dataset?.id ?? message.dataset,
        attemptsMade: job.attemptsMade,
        error,
      });
    } else {
      await deps.runLedger.recordRetry(message.runId, job.jobId, lastError, deps.clock.now().toISOString());
      metrics.count(metricNames.jobsRetried, 1, dimensionsOf(message));
      retryAfter = Math.max(retryAfter, retryDelaySeconds(job.attemptsMade, deps.retryBaseDelaySeconds));
    }
  }
  if (retryAfter > 0) throw new RetryLaterError(retryAfter, { cause: error });
}

/** SQS delays a message by at most 15 minutes; a longer wait is taken in several deferrals. */
const maxDelaySeconds = 900;

/**
 * Defers the message's jobs without spending their attempts: a 429 pauses the whole data source first (every worker
 * then waits), and the message goes back to the queue delayed until the slot or the pause comes. It is sent anew
 * rather than made invisible, so its receive count never grows toward the queue's redrive limit.
 */
async function deferJobs(
  message: JobMessage,
  jobs: readonly Job[],
  error: RateLimitedError | RateLimitDeferral,
  deps: FetchWorkerDeps,
): Promise<void> {
  const nowMs = deps.clock.now().getTime();
  let waitMs: number;
  if (error instanceof RateLimitedError) {
    const status = await deps.rateLimiter.pause(deps.dataSource.id, {
      retryAfterMs: error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000,
    });
    waitMs = status.pausedUntil === undefined ? 60_000 : Date.parse(status.pausedUntil) - nowMs;
    deps.log.warn('upstream rate limit hit: data source paused', {
      dataSource: deps.dataSource.id,
      runId: message.runId,
      pausedUntil: status.pausedUntil,
      consecutive429s: status.consecutive429s,
    });
  } else {
    waitMs = error.waitMs;
  }
  const at = deps.clock.now().toISOString();
  for (const job of jobs) await deps.runLedger.releaseAttempt(message.runId, job.jobId, at);
  const delaySeconds = Math.min(maxDelaySeconds, Math.max(1, Math.ceil(waitMs / 1000)));
  const sent = await deps.requeue.send([message], { delaySeconds });
  if (sent.failed.length > 0) throw new RetryLaterError(delaySeconds, { cause: error });
  deps.log.info('jobs deferred by the rate limit', { runId: message.runId, count: jobs.length, delaySeconds });
}

/** A job of any message as the version-1 message that redrives it alone. */
function singleJobMessage(message: JobMessage, job: Job): RunJobMessage {
  const { runId, groupId, dataSource, dataset, businessDate } = message;
  return { version: 1, runId, groupId, dataSource, dataset, businessDate, jobId: job.jobId, params: job.params };
}

function jobErrorOf(error: unknown): JobError {
  if (error instanceof UpstreamError) return { code: error.code, message: error.message };
  if (isSchemaError(error)) {
    return { code: 'invalid_data', message: `the data broke its schema: ${error.message.slice(0, 500)}` };
  }
  if (error instanceof Error)
    return { code: 'internal_error', message: `${error.name}: ${error.message}`.slice(0, 1000) };
  return { code: 'internal_error', message: String(error).slice(0, 1000) };
}
