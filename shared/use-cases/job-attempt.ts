import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { rowLayoutOf } from '#shared/datasets/row-layout.ts';
import { backfillRunId } from '#shared/domain/backfill.ts';
import { pendingMemberList } from '#shared/domain/date-jobs.ts';
import { rowCodeOf } from '#shared/domain/request-planning.ts';
import type { DateJobMember, Job, JobError } from '#shared/domain/run.ts';
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
 * What a delivery works on: one job (`single`), a date job fetching a date once for its members (`date`), a
 * backfill's range request of one code over many dates, whose rows belong to the runs of their own dates (`range`),
 * or, for a run dispatched before date jobs existed, the run's jobs of one date fetched together (`legacy`).
 */
export type AttemptKind = 'single' | 'date' | 'range' | 'legacy';

/**
 * One delivery of a job message, from the start of its jobs' attempts to their outcomes: the jobs it holds (as last
 * written, so that each next event is decided on the revision this attempt wrote), and what it has done so far.
 */
export class JobAttempt {
  readonly kind: AttemptKind;
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
  /** A date job's members, as stored when the attempt began. */
  readonly members: readonly DateJobMember[];
  /** Members of a date job whose rows broke the dataset's schema in this attempt, by code, with why. */
  readonly rejections = new Map<string, JobError>();
  readonly #jobs = new Map<string, Job>();
  readonly #startedAt = performance.now();

  constructor(options: {
    kind: AttemptKind;
    members?: readonly DateJobMember[];
    message: JobMessage;
    dataset: DatasetDefinition | undefined;
    holder: string;
    /** When the attempt began, in epoch ms. */
    startedAtMs: number;
    deadlineMs: number;
    jobs: readonly Job[];
  }) {
    this.kind = options.kind;
    this.members = options.members ?? [];
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

  /**
   * The keys rows are stored and counted under, for the jobs this attempt still fetches for: the job's id (a single
   * job takes every row), or issue codes — a date job's members that have not succeeded and were not rejected, or
   * the held jobs of a legacy date.
   */
  rowKeys(): Set<string> {
    if (this.kind === 'single' || this.kind === 'range') return new Set(this.jobs.map((job) => job.jobId));
    if (this.kind === 'legacy') return new Set(this.jobs.map(issueCodeOf));
    return new Set(
      pendingMemberList(this.members)
        .map((member) => member.code)
        .filter((code) => !this.rejections.has(code)),
    );
  }

  /**
   * The key one of this attempt's rows is counted under (`undefined`: nobody here asked for it), among `keys` (the
   * attempt's `rowKeys()`, read once per page).
   */
  rowKeyOf(row: Readonly<Record<string, unknown>>, keys: ReadonlySet<string> = this.rowKeys()): string | undefined {
    // A range request takes every row, counted per date for the runs of those dates.
    if (this.kind === 'range') return keys.size === 0 ? undefined : this.#dateOf(row);
    const key = this.kind === 'single' ? this.jobs[0]?.jobId : String(row.code);
    return key !== undefined && keys.has(key) ? key : undefined;
  }

  #dateOf(row: Readonly<Record<string, unknown>>): string | undefined {
    const field = this.dataset === undefined ? 'date' : rowLayoutOf(this.dataset).dateField;
    return typeof row[field] === 'string' ? row[field] : undefined;
  }
}

/** The run a row belongs to: a range request's rows, the run of their own date; any other, the message's run. */
export function runIdOfRow(attempt: JobAttempt, row: Readonly<Record<string, unknown>>, dateField: string): string {
  const { message } = attempt;
  if (attempt.kind !== 'range' || message.version !== 1 || message.backfillId === undefined) return message.runId;
  return backfillRunId(message.backfillId, String(row[dateField]));
}

/** A date-wide job's issue code as rows carry it. */
export function issueCodeOf(job: Pick<Job, 'params'>): string {
  return rowCodeOf(String(job.params.code));
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
