import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { rowLayoutOf } from '#shared/datasets/row-layout.ts';
import type { FetchCheckpoint, Job, RowCounts } from '#shared/domain/run.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { DataSource, FetchedPage, RejectedRow } from '#shared/ports/data-source.ts';
import type { MarketDataStore } from '#shared/ports/market-data-store.ts';
import { RateLimitDeferral, type RateLimiter } from '#shared/ports/rate-limiter.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import { UpstreamError } from '#shared/ports/upstream-errors.ts';
import type { JobAttempt } from '#shared/use-cases/job-attempt.ts';

/** What fetching a job message's pages needs. */
export interface FetchPagesDeps {
  readonly runLedger: RunLedger;
  readonly marketData: MarketDataStore;
  readonly dataSource: DataSource;
  readonly rateLimiter: RateLimiter;
  readonly clock: Clock;
  /** Aborts the fetch from outside (tests); the attempt's own time limit always applies. */
  readonly signal?: AbortSignal;
}

/** Rows of an answer that break their dataset's schema: the jobs they belong to fail for good, and only those. */
export class InvalidRowsError extends UpstreamError {
  readonly code = 'invalid_data';
  override readonly name = 'InvalidRowsError';
}

/** The jobs of a date-wide page's rejected rows, to be failed by the caller while the fetch goes on. */
export type FailJobs = (jobs: readonly Job[], error: InvalidRowsError) => Promise<void>;

/** The attempt ran out of invocation time before the upstream answered. */
export class AttemptTimeLimitError extends Error {
  override readonly name = 'AttemptTimeLimitError';
}

const emptyCheckpoint: FetchCheckpoint = { pages: 0, rows: {}, dates: [] };

/**
 * Fetches the attempt's answer page by page and stores each page before asking for the next: its rows are upserted
 * (split over the attempt's jobs for a date-wide message), and the position of the next page is persisted with
 * the rows counted so far — on the job for a single-job message, on the run's date item for a date-wide one. A
 * fetch that stops (deferred for a slot, out of time, crashed) goes on from there next time; pages already stored
 * are never fetched again, and a checkpoint without a next page means every page is stored.
 *
 * In a date-wide page, a row that breaks its schema fails only the job of its own code (`failJobs`); a row whose
 * code cannot be read fails every job of the message. Returns the checkpoint of the whole answer.
 */
export async function fetchJobPages(
  attempt: JobAttempt,
  deps: FetchPagesDeps,
  failJobs: FailJobs,
): Promise<FetchCheckpoint> {
  const { message } = attempt;
  const dataset = attempt.dataset as DatasetDefinition;
  const stored = await storedCheckpoint(attempt, deps.runLedger);
  if (stored !== undefined && stored.next === undefined && stored.pages > 0) return stored;
  let progress = stored ?? emptyCheckpoint;
  const timeLimit = AbortSignal.timeout(Math.max(0, Math.floor(attempt.workEndsAtMs - deps.clock.now().getTime())));
  const signal = deps.signal === undefined ? timeLimit : AbortSignal.any([timeLimit, deps.signal]);
  let heldSlotAt = message.requestSlotAt;
  const params = message.version === 1 ? message.params : { date: message.date };
  const pages = deps.dataSource.fetchPages(dataset, params, {
    signal,
    ...(progress.next === undefined ? {} : { resumeAt: progress.next }),
    beforeRequest: async (endpoint) => {
      const maxWaitMs = attempt.lastSlotAtMs - deps.clock.now().getTime();
      await deps.rateLimiter.acquire(deps.dataSource.id, endpoint, {
        maxWaitMs,
        ...(heldSlotAt === undefined ? {} : { heldSlotAt }),
      });
      heldSlotAt = undefined;
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
  if (Object.keys(params).length === 1 && 'date' in params && dataset.dateWide) {
    for (const date of progress.dates) await deps.marketData.markComplete(dataset, date);
  }
  // Every page is stored (and a whole-market snapshot marked complete): should this attempt run out of time
  // recording its many jobs' outcomes, the next one goes straight to them.
  if (message.version === 2) await saveCheckpoint(attempt, progress, deps);
  return progress;
}

/** The checkpoint an earlier attempt left: the job's own, or the run's date item. */
async function storedCheckpoint(attempt: JobAttempt, ledger: RunLedger): Promise<FetchCheckpoint | undefined> {
  const { message } = attempt;
  if (message.version === 1) return attempt.jobs[0]?.checkpoint;
  return ledger.getDateCheckpoint(message.runId, message.date);
}

async function saveCheckpoint(
  attempt: JobAttempt,
  checkpoint: FetchCheckpoint,
  deps: Pick<FetchPagesDeps, 'runLedger' | 'clock'>,
): Promise<void> {
  const { message } = attempt;
  if (message.version === 2) {
    await deps.runLedger.saveDateCheckpoint(message.runId, message.date, checkpoint);
    return;
  }
  const at = deps.clock.now().toISOString();
  const { jobs } = await deps.runLedger.updateJobs(
    message.runId,
    attempt.jobs.map((job) => ({
      jobId: job.jobId,
      seen: job,
      event: { kind: 'checkpoint' as const, at, holder: attempt.holder, checkpoint },
    })),
  );
  attempt.record(jobs);
}

/** Stores one page for the jobs the attempt holds and returns the checkpoint after it. */
async function storePage(
  attempt: JobAttempt,
  page: FetchedPage,
  progress: FetchCheckpoint,
  deps: FetchPagesDeps & { dataset: DatasetDefinition },
  failJobs: FailJobs,
): Promise<FetchCheckpoint> {
  const { message } = attempt;
  if (page.rejected.length > 0) await rejectRows(attempt, page.rejected, failJobs);
  const jobsByKey = new Map(attempt.jobs.map((job) => [attempt.rowKeyOf(job), job]));
  const fetchedAt = deps.clock.now().toISOString();
  const rowsByKey = new Map<string, Record<string, unknown>[]>();
  for (const row of page.rows) {
    const key = message.version === 1 ? attempt.jobs[0]?.jobId : String(row.code);
    if (key === undefined || !jobsByKey.has(key)) continue;
    rowsByKey.set(key, [...(rowsByKey.get(key) ?? []), { ...row, fetchedAt, runId: message.runId }]);
  }
  const rows = [...rowsByKey.values()].flat();
  const { kept } = await deps.marketData.upsertRows(deps.dataset, rows);
  const keptByKey = new Map<string, number>();
  for (const row of kept) {
    const key = message.version === 1 ? (attempt.jobs[0]?.jobId ?? '') : String(row.code);
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
  const { dateField } = rowLayoutOf(deps.dataset);
  for (const row of rows) if (typeof row[dateField] === 'string') dates.add(row[dateField]);
  return {
    ...(page.next === undefined ? {} : { next: page.next }),
    pages: progress.pages + 1,
    rows: counts,
    dates: [...dates].sort(),
  };
}

/**
 * A single-job message fails with its first rejected row. In a date-wide one, each rejected row fails the job of its
 * code; a row whose code could not be read might be anyone's, so it fails them all.
 */
async function rejectRows(attempt: JobAttempt, rejected: readonly RejectedRow[], failJobs: FailJobs): Promise<void> {
  const { message } = attempt;
  const endpoint = attempt.dataset?.endpoint ?? message.dataset;
  const unattributable = rejected.find((row) => row.series === undefined);
  if (message.version === 1 || unattributable !== undefined) {
    const first = unattributable ?? rejected[0];
    throw new InvalidRowsError(`the answer holds a row that breaks the ${message.dataset} schema: ${first?.reason}`, {
      endpoint,
    });
  }
  const reasons = new Map(rejected.map((row) => [row.series, row.reason]));
  const failing = attempt.jobs.filter((job) => reasons.has(attempt.rowKeyOf(job)));
  for (const job of failing) {
    const reason = reasons.get(attempt.rowKeyOf(job));
    await failJobs(
      [job],
      new InvalidRowsError(
        `the answer's row for ${attempt.rowKeyOf(job)} breaks the ${message.dataset} schema: ${reason}`,
        {
          endpoint,
        },
      ),
    );
  }
}
