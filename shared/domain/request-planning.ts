import type { DatasetDefinition } from '#shared/datasets/dataset.ts';

/** A job as the planner sees it. */
export interface PlannableJob {
  readonly jobId: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** One date fetched once for many jobs: one request (plus pages) whose rows are split per job by code. */
export interface DateWideRequest {
  readonly date: string;
  readonly jobIds: readonly string[];
}

/** How a run's jobs reach the upstream. */
export interface RequestPlan {
  /** Jobs fetched one request (plus pages) each. */
  readonly perJob: readonly PlannableJob[];
  /** Dates fetched once for many codes. */
  readonly dateWide: readonly DateWideRequest[];
}

/** Fewer jobs than this on one date are fetched per code: a date-wide answer would be mostly rows nobody asked for. */
export const minimumJobsPerDateWideRequest = 2;

/**
 * Request planning (design §4): when a dataset answers every code for a bare `date`, the jobs of one date that
 * differ only by `code` are fetched with one date-wide request and the rows are split per job. Ranges, other
 * params, and datasets without date-wide answers stay one request per job.
 */
export function planRequests(dataset: Pick<DatasetDefinition, 'dateWide'>, jobs: readonly PlannableJob[]): RequestPlan {
  if (!dataset.dateWide) return { perJob: jobs, dateWide: [] };
  const byDate = new Map<string, PlannableJob[]>();
  const perJob: PlannableJob[] = [];
  for (const job of jobs) {
    const date = codeOnDate(job.params);
    if (date === undefined) {
      perJob.push(job);
      continue;
    }
    byDate.set(date, [...(byDate.get(date) ?? []), job]);
  }
  const dateWide: DateWideRequest[] = [];
  for (const [date, dateJobs] of byDate) {
    if (dateJobs.length < minimumJobsPerDateWideRequest) perJob.push(...dateJobs);
    else dateWide.push({ date, jobIds: dateJobs.map((job) => job.jobId) });
  }
  return { perJob, dateWide };
}

/** The date of a `{ code, date }` job; undefined for any other shape of params. */
export function codeOnDate(params: Readonly<Record<string, unknown>>): string | undefined {
  const keys = Object.keys(params).filter((key) => params[key] !== undefined);
  if (keys.length !== 2 || typeof params.code !== 'string' || typeof params.date !== 'string') return undefined;
  return params.date;
}

/** An issue code as rows carry it: J-Quants takes a 4-character code for the common stock, whose 5-character code ends in 0. */
export function rowCodeOf(code: string): string {
  return code.length === 4 ? `${code}0` : code;
}

/** True for a request of a date-wide dataset by date alone: its answer is the whole market on that date. */
export function isWholeMarketRequest(
  dataset: Pick<DatasetDefinition, 'dateWide'>,
  params: Readonly<Record<string, unknown>>,
): boolean {
  const keys = Object.keys(params).filter((key) => params[key] !== undefined);
  return dataset.dateWide && keys.length === 1 && keys[0] === 'date';
}
