import type { JobEvent, JobRefusal } from '#shared/domain/job-transitions.ts';
import type { DateJobMember, Job, JobStatus, Run } from '#shared/domain/run.ts';
import type { RunEvent, RunRefusal } from '#shared/domain/run-transitions.ts';

/** A page of results and the opaque cursor of the next page, absent on the last page. */
export interface Page<Item> {
  readonly items: Item[];
  readonly cursor?: string;
}

/** One event for one job of a run; `seen` is the job as the caller last read it (saves a read when still current). */
export interface JobUpdate {
  readonly jobId: string;
  readonly event: JobEvent;
  readonly seen?: Job;
}

/** What an event did to one job. */
export type JobUpdateResult =
  | { readonly jobId: string; readonly applied: true; readonly job: Job }
  /** Nothing changed; `job` is the job as it stands (absent when the ledger has no such job). */
  | { readonly jobId: string; readonly applied: false; readonly refused: JobRefusal | 'unknown'; readonly job?: Job };

/** What a change of jobs or of a run did to the run. */
export interface RunChange {
  /** The run after the change (and after it finished, if it did). */
  readonly run: Run;
  /** Set when this call finished the run: exactly one call gets it per finish (see `runFinished`). */
  readonly finished?: Run;
}

/**
 * RunLedger: the record of runs and their jobs. It persists the decisions of the job and run state machines
 * (`shared/domain/job-transitions.ts`, `run-transitions.ts`) and decides nothing itself.
 *
 * Guarantees:
 * - `claimRun` is a conditional create: of two claims of the same `runId`, exactly one returns true.
 * - `updateJobs` applies each event to the job as stored: a decision is written only while the job is still the
 *   revision it was made on, and is made again on the current job otherwise, so concurrent writers never lose a
 *   change and an attempt that lost its lease can no longer change its job. The run's counters then move once, by
 *   the sum of the changes (a batch of outcomes is one counter write), and a run whose jobs have all finished gets
 *   its final status from a recount of its jobs.
 * - The run's running counters can fall short of its jobs (a crash between a job's write and the count) but the
 *   finish is always decided on counters recounted from the jobs; `recountRun` repairs them at any time.
 * - A run's finish is persisted exactly once per finish and returned as `finished` to the one caller that made it.
 * - A date job's members are stored beside it, in items that each stay well under DynamoDB's item limit, so a date
 *   of any size costs the same few writes; `listJobs` shows each member as a job of its own (`fetchedWith`).
 * - Runs of a group list newest first; `listOpenRuns` lists every run still `dispatching` or `running`.
 */
export interface RunLedger {
  /** Creates the run unless one with the same id exists; true when this call created it. */
  claimRun(run: Run): Promise<boolean>;
  /** The run, or undefined. */
  getRun(runId: string): Promise<Run | undefined>;
  /** A group's runs, newest scheduled time first. */
  listRuns(groupId: string, options?: { limit?: number; cursor?: string }): Promise<Page<Run>>;
  /** A group's runs of the business dates `from`…`to` (any trigger), oldest date first. */
  listRunsOfDates(groupId: string, dates: { from: string; to: string }): Promise<Run[]>;
  /** Every run still waiting, dispatching or running, oldest scheduled time first. */
  listOpenRuns(options?: { limit?: number; cursor?: string }): Promise<Page<Run>>;
  /** Applies a run event (`run-transitions.ts`); throws NotFoundError for an unknown run. */
  updateRun(runId: string, event: RunEvent): Promise<RunChange & { readonly refused?: RunRefusal }>;
  /**
   * Stores the run's jobs, and the members of its date jobs (by date job id), as the whole of its jobs: whatever an
   * interrupted dispatch stored before is replaced, and jobs no longer among them removed. Only for a run not yet
   * planned, whose jobs no message has reached.
   */
  addJobs(
    runId: string,
    jobs: readonly Job[],
    members?: Readonly<Record<string, readonly DateJobMember[]>>,
  ): Promise<void>;
  /** The job as stored (a date job as itself), or undefined. */
  getJob(runId: string, jobId: string): Promise<Job | undefined>;
  /**
   * A run's jobs in stored order, optionally of one status. A date job is shown as its members, each a job of its
   * own (`fetchedWith` names the date job) — or, with `asStored`, as itself.
   */
  listJobs(
    runId: string,
    options?: { status?: JobStatus; limit?: number; cursor?: string; asStored?: boolean },
  ): Promise<Page<Job>>;
  /** The members of a date job, with the outcome of those that have run. */
  getMembers(runId: string, dateJobId: string): Promise<DateJobMember[]>;
  /** Stores the members of a date job again, with their outcomes (written before the date job's own outcome). */
  saveMembers(runId: string, dateJobId: string, members: readonly DateJobMember[]): Promise<void>;
  /** Applies job events (`job-transitions.ts`), then moves the run's counters by their sum, once. */
  updateJobs(
    runId: string,
    updates: readonly JobUpdate[],
  ): Promise<RunChange & { readonly jobs: readonly JobUpdateResult[] }>;
  /** Recounts the run's counters from its jobs, finishing the run if they have all finished. */
  recountRun(runId: string, at: string): Promise<RunChange>;
  /** Adds upstream requests made on the run's behalf (a date-wide fetch counts once for many jobs). */
  addUpstreamRequests(runId: string, count: number): Promise<void>;
}
