import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { rowLayoutOf } from '#shared/datasets/row-layout.ts';
import { isWholeMarketRequest } from '#shared/domain/request-planning.ts';
import type { FetchCheckpoint, Job, RowCounts } from '#shared/domain/run.ts';
import { metricNames } from '#shared/observability/metric-names.ts';
import { type MetricsSink, noMetrics } from '#shared/observability/metrics.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { DataSource, FetchedPage, RejectedRow } from '#shared/ports/data-source.ts';
import type { MarketDataStore } from '#shared/ports/market-data-store.ts';
import { RateLimitDeferral, type RateLimiter } from '#shared/ports/rate-limiter.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import { UpstreamError } from '#shared/ports/upstream-errors.ts';
import { dimensionsOf, issueCodeOf, type JobAttempt, runIdOfRow } from '#shared/use-cases/job-attempt.ts';

/** What fetching a job message's pages needs. */
export interface FetchPagesDeps {
  readonly runLedger: RunLedger;
  readonly marketData: MarketDataStore;
  readonly dataSource: DataSource;
  readonly rateLimiter: RateLimiter;
  readonly clock: Clock;
  /** @default noMetrics */
  readonly metrics?: MetricsSink;
  /** Aborts the fetch from outside (tests); the attempt's own time limit always applies. */
  readonly signal?: AbortSignal;
}

/** Rows of an answer that break their dataset's schema: the jobs they belong to fail for good, and only those. */
export class InvalidRowsError extends UpstreamError {
  readonly code = 'invalid_data';
  override readonly name = 'InvalidRowsError';
}

/** Fails held jobs of a legacy date whose rows broke the schema, while the fetch goes on for the others. */
export type FailJobs = (jobs: readonly Job[], error: InvalidRowsError) => Promise<void>;

/** The attempt ran out of invocation time before the upstream answered. */
export class AttemptTimeLimitError extends Error {
  override readonly name = 'AttemptTimeLimitError';
}

const emptyCheckpoint: FetchCheckpoint = { pages: 0, rows: {}, dates: [] };

/**
 * Fetches the attempt's answer page by page and stores each page before asking for the next: its rows are upserted
 * (split by code over the jobs of a date), and the position of the next page is persisted with the rows counted so
 * far, on the job (a date job holds its whole date). A fetch that stops (deferred for a slot, out of time, crashed)
 * goes on from there next time: pages already stored are never fetched again.
 *
 * A row that breaks its schema fails a single job at once. In a date's answer it fails only the member (or legacy
 * job) of its own code; a row whose code cannot be read might be anyone's, so it fails them all. Returns the
 * checkpoint of the whole answer.
 */
export async function fetchJobPages(
  attempt: JobAttempt,
  deps: FetchPagesDeps,
  failJobs: FailJobs,
): Promise<FetchCheckpoint> {
  const { message } = attempt;
  const dataset = attempt.dataset as DatasetDefinition;
  let progress = (attempt.kind === 'legacy' ? undefined : attempt.jobs[0]?.checkpoint) ?? emptyCheckpoint;
  // Every member already has its outcome (an attempt that died between recording them and its date job's): nothing
  // is left to fetch.
  if (attempt.kind === 'date' && attempt.rowKeys().size === 0) return progress;
  const timeLimit = AbortSignal.timeout(Math.max(0, Math.floor(attempt.workEndsAtMs - deps.clock.now().getTime())));
  const signal = deps.signal === undefined ? timeLimit : AbortSignal.any([timeLimit, deps.signal]);
  let heldSlot = message.requestSlot;
  const params = message.version === 1 ? message.params : { date: message.date };
  const pages = deps.dataSource.fetchPages(dataset, params, {
    signal,
    ...(progress.next === undefined ? {} : { resumeAt: progress.next }),
    beforeRequest: async (endpoint) => {
      const askedAtMs = deps.clock.now().getTime();
      const maxWaitMs = attempt.lastSlotAtMs - askedAtMs;
      await deps.rateLimiter.acquire(deps.dataSource.id, endpoint, {
        maxWaitMs,
        ...(heldSlot === undefined ? {} : { heldSlot }),
        ...(message.priority === 'background' ? { background: true } : {}),
      });
      (deps.metrics ?? noMetrics).time(
        metricNames.rateLimitWaitMs,
        deps.clock.now().getTime() - askedAtMs,
        dimensionsOf(message),
      );
      heldSlot = undefined;
      attempt.upstreamRequests++;
    },
  });
  try {
    for await (const page of pages) {
      if (page.restarted === true) progress = emptyCheckpoint;
      progress = await storePage(attempt, page, progress, { ...deps, dataset }, failJobs);
      if (attempt.jobs.length === 0) return progress;
      if (page.next !== undefined) await saveCheckpoint(attempt, progress, deps);
    }
  } catch (error) {
    // A slot too far off for the time left defers the job; only an upstream call cut short is this attempt's end.
    if (timeLimit.aborted && !(error instanceof RateLimitDeferral)) {
      throw new AttemptTimeLimitError(
        `the attempt ran out of invocation time after ${progress.pages} stored page(s); it goes on from there`,
        { cause: error },
      );
    }
    throw error;
  }
  if (isWholeMarketRequest(dataset, params)) {
    for (const date of progress.dates) await deps.marketData.markComplete(dataset, date);
  }
  return progress;
}

/** Keeps the fetch's position on the job that holds the fetch (a single job or a date job). */
async function saveCheckpoint(
  attempt: JobAttempt,
  checkpoint: FetchCheckpoint,
  deps: Pick<FetchPagesDeps, 'runLedger' | 'clock'>,
): Promise<void> {
  if (attempt.kind === 'legacy') return;
  const at = deps.clock.now().toISOString();
  const { jobs } = await deps.runLedger.updateJobs(
    attempt.message.runId,
    attempt.jobs.map((job) => ({
      jobId: job.jobId,
      seen: job,
      event: { kind: 'checkpoint' as const, at, holder: attempt.holder, checkpoint },
    })),
  );
  attempt.record(jobs);
}

/** Stores one page for the keys the attempt fetches for and returns the checkpoint after it. */
async function storePage(
  attempt: JobAttempt,
  page: FetchedPage,
  progress: FetchCheckpoint,
  deps: FetchPagesDeps & { dataset: DatasetDefinition },
  failJobs: FailJobs,
): Promise<FetchCheckpoint> {
  if (page.rejected.length > 0) await rejectRows(attempt, page.rejected, failJobs);
  const fetchedAt = deps.clock.now().toISOString();
  const keys = attempt.rowKeys();
  const { dateField } = rowLayoutOf(deps.dataset);
  const rowsByKey = new Map<string, Record<string, unknown>[]>();
  for (const row of page.rows) {
    const key = attempt.rowKeyOf(row, keys);
    if (key === undefined) continue;
    const keyRows = rowsByKey.get(key) ?? [];
    keyRows.push({ ...row, fetchedAt, runId: runIdOfRow(attempt, row, dateField) });
    rowsByKey.set(key, keyRows);
  }
  const rows = [...rowsByKey.values()].flat();
  const { kept } = await deps.marketData.upsertRows(deps.dataset, rows);
  const keptByKey = new Map<string, number>();
  for (const row of kept) {
    const key = attempt.rowKeyOf(row, keys) ?? '';
    keptByKey.set(key, (keptByKey.get(key) ?? 0) + 1);
  }
  const counts: Record<string, RowCounts> = { ...progress.rows };
  for (const [key, keyRows] of rowsByKey) {
    const keptHere = keptByKey.get(key) ?? 0;
    const [written, keptSoFar] = counts[key] ?? [0, 0];
    counts[key] = [written + keyRows.length - keptHere, keptSoFar + keptHere];
  }
  attempt.progressed = true;
  const dates = new Set(progress.dates);
  for (const row of rows) if (typeof row[dateField] === 'string') dates.add(row[dateField]);
  return {
    ...(page.next === undefined ? {} : { next: page.next }),
    pages: progress.pages + 1,
    rows: counts,
    dates: [...dates].sort(),
  };
}

/**
 * A single job fails with its first rejected row. In a date's answer each rejected row fails only its code: a date
 * job's member is set aside for the outcome, a legacy job fails at once. A row whose code cannot be read might be
 * anyone's, so it fails the whole message.
 */
async function rejectRows(attempt: JobAttempt, rejected: readonly RejectedRow[], failJobs: FailJobs): Promise<void> {
  const { message } = attempt;
  const endpoint = attempt.dataset?.endpoint ?? message.dataset;
  const unattributable = rejected.find((row) => row.series === undefined);
  if (attempt.kind === 'single' || attempt.kind === 'range' || unattributable !== undefined) {
    const first = unattributable ?? rejected[0];
    throw new InvalidRowsError(`the answer holds a row that breaks the ${message.dataset} schema: ${first?.reason}`, {
      endpoint,
    });
  }
  const keys = attempt.rowKeys();
  for (const row of rejected) {
    const code = String(row.series);
    if (!keys.has(code)) continue;
    const error = new InvalidRowsError(
      `the answer's row for ${code} breaks the ${message.dataset} schema: ${row.reason}`,
      {
        endpoint,
      },
    );
    if (attempt.kind === 'date') attempt.rejections.set(code, { code: error.code, message: error.message });
    else
      await failJobs(
        attempt.jobs.filter((job) => issueCodeOf(job) === code),
        error,
      );
  }
}
