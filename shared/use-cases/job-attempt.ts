import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import type { Job } from '#shared/domain/run.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import type { MetricDimensions } from '#shared/observability/metrics.ts';
import type { JobUpdateResult } from '#shared/ports/run-ledger.ts';

/**
 * Time an attempt keeps at the end of its invocation to store its last page and record its jobs' outcomes: the
 * upstream call is aborted, and no slot is waited for, past it. A quarter of the invocation, between 1 and 8 s
 * (6.25 s of a 25 s worker).
 */
export function outcomeReserveMs(invocationMs: number): number {
  return Math.round(Math.min(8_000, Math.max(1_000, invocationMs * 0.25)));
}

/**
 * Time one upstream request is given after its slot when deciding whether to wait for the slot in place: 15 % of the
 * invocation, between 0.5 and 5 s (3.75 s of a 25 s worker).
 */
export function requestAllowanceMs(invocationMs: number): number {
  return Math.round(Math.min(5_000, Math.max(500, invocationMs * 0.15)));
}

/**
 * One delivery of a job message, from the start of its jobs' attempts to their outcomes: the jobs it holds (as last
 * written, so that each next event is decided on the revision this attempt wrote), and what it has done so far.
 */
export class JobAttempt {
  readonly message: JobMessage;
  readonly dataset: DatasetDefinition | undefined;
  /** The lease holder every event of this attempt names. */
  readonly holder: string;
  /** When the invocation ends, in epoch ms: the lease lapses then. */
  readonly deadlineMs: number;
  /** Upstream requests this attempt has made (slots taken and used). */
  upstreamRequests = 0;
  /** True once this attempt has stored a page. */
  progressed = false;
  #countedRequests = 0;
  /** When the attempt may no longer wait for a slot before sending its request, in epoch ms. */
  readonly lastSlotAtMs: number;
  /** Until when this attempt may wait for slots and upstream answers, in epoch ms. */
  readonly workEndsAtMs: number;
  readonly #jobs = new Map<string, Job>();
  readonly #startedAt = performance.now();

  constructor(options: {
    message: JobMessage;
    dataset: DatasetDefinition | undefined;
    holder: string;
    /** When the attempt began, in epoch ms. */
    startedAtMs: number;
    deadlineMs: number;
    jobs: readonly Job[];
  }) {
    this.message = options.message;
    this.dataset = options.dataset;
    this.holder = options.holder;
    this.deadlineMs = options.deadlineMs;
    const invocationMs = options.deadlineMs - options.startedAtMs;
    this.workEndsAtMs = options.deadlineMs - outcomeReserveMs(invocationMs);
    this.lastSlotAtMs = this.workEndsAtMs - requestAllowanceMs(invocationMs);
    for (const job of options.jobs) this.#jobs.set(job.jobId, job);
  }

  /** The jobs this attempt still holds. */
  get jobs(): Job[] {
    return [...this.#jobs.values()];
  }

  /** The requests made since the last call: each is added to the run once. */
  takeUncountedRequests(): number {
    const uncounted = this.upstreamRequests - this.#countedRequests;
    this.#countedRequests = this.upstreamRequests;
    return uncounted;
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.#startedAt);
  }

  /**
   * Takes in the results of this attempt's own events: an applied one is the job's new revision; a refused one
   * means the job is no longer this attempt's (it finished, or its lease lapsed and another attempt took it).
   */
  record(results: readonly JobUpdateResult[]): void {
    for (const result of results) {
      if (result.applied && result.job.lease?.holder === this.holder) this.#jobs.set(result.jobId, result.job);
      else this.#jobs.delete(result.jobId);
    }
  }

  /** Lets go of jobs that this attempt has finished or handed on. */
  release(jobIds: Iterable<string>): void {
    for (const jobId of jobIds) this.#jobs.delete(jobId);
  }

  /** The key a job's rows are counted under: the job id of a single-job message, the issue code of a date-wide one. */
  rowKeyOf(job: Job): string {
    return this.message.version === 1 ? job.jobId : issueCodeOf(job);
  }
}

/** A date-wide job's issue code as rows carry it: J-Quants takes a 4-character code for the 5-character common one. */
export function issueCodeOf(job: Pick<Job, 'params'>): string {
  const code = String(job.params.code);
  return code.length === 4 ? `${code}0` : code;
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

/** The metric dimensions of a message's work: its data source, dataset and group (never a code). */
export function dimensionsOf(message: JobMessage): MetricDimensions {
  return { dataSource: message.dataSource, dataset: message.dataset, group: message.groupId };
}
