import type { Job, JobError, JobStatus, Run, RunStatus } from '#shared/domain/run.ts';

/** A page of results and the opaque cursor of the next page, absent on the last page. */
export interface Page<Item> {
  readonly items: Item[];
  readonly cursor?: string;
}

/** What a finished attempt produced. */
export interface JobOutcome {
  readonly status: 'succeeded' | 'failed';
  /** The job went to the dead-letter queue (failed jobs only). */
  readonly deadLettered?: boolean;
  readonly durationMs: number;
  readonly rowsWritten?: number;
  readonly upstreamRequests: number;
  readonly lastError?: JobError;
  readonly at: string;
}

/** The result of `finishJob`. */
export interface FinishJobResult {
  /** False when the job had already finished: the counters were not touched again. */
  readonly counted: boolean;
  /** The run after the update (its final status when this job was its last). */
  readonly run: Run;
}

/** The result of `reopenJob`. */
export interface ReopenJobResult {
  /** True when this call moved the job from `failed` back to `queued`. */
  readonly reopened: boolean;
  /** The job after the call. */
  readonly job: Job;
}

/**
 * RunLedger: the record of runs and their jobs, and the only writer of run counters.
 *
 * Guarantees:
 * - `claimRun` is a conditional create: of two claims of the same `runId`, exactly one returns true.
 * - `finishJob` moves a job to a finished status at most once and only that move bumps the run's counters, so a
 *   replayed message never counts twice. When the last job finishes, the run gets its final status (`succeeded`,
 *   `partially_failed` or `failed`) exactly once, with counters recounted from its jobs.
 * - Running counters may fall short (a crash between a job's move and its count); `recountRun` repairs them from
 *   the jobs. Only a reopen interrupted the same way leaves them one over, which the final recount absorbs.
 * - Runs of a group list newest first.
 */
export interface RunLedger {
  /** Creates the run unless one with the same id exists; true when this call created it. */
  claimRun(run: Run): Promise<boolean>;
  /** The run, or undefined. */
  getRun(runId: string): Promise<Run | undefined>;
  /** A group's runs, newest scheduled time first. */
  listRuns(groupId: string, options?: { limit?: number; cursor?: string }): Promise<Page<Run>>;
  /** Stores the run's jobs (status `queued`); writing the same jobs again changes nothing that has progressed. */
  addJobs(runId: string, jobs: readonly Job[]): Promise<void>;
  /** Sets the run's status (e.g. `dispatching` → `running` with its job count). */
  updateRun(runId: string, changes: { status: RunStatus; total?: number; reason?: string; at: string }): Promise<Run>;
  /** The job, or undefined. */
  getJob(runId: string, jobId: string): Promise<Job | undefined>;
  /** A run's jobs, ordered by job id, optionally of one status. */
  listJobs(runId: string, options?: { status?: JobStatus; limit?: number; cursor?: string }): Promise<Page<Job>>;
  /**
   * Starts an attempt: `attemptsMade + 1`, status `running`. Undefined when the job has already finished (a
   * replayed message), so the caller does nothing.
   */
  startAttempt(runId: string, jobId: string, at: string): Promise<Job | undefined>;
  /**
   * Takes back an attempt that never reached the upstream's judgement (a rate-limit deferral or a 429): the job is
   * `queued` again with `attemptsMade - 1`. Nothing happens to a job that is not `running`.
   */
  releaseAttempt(runId: string, jobId: string, at: string): Promise<void>;
  /** Records a failed attempt that will be retried: status `retrying` with the error. */
  recordRetry(runId: string, jobId: string, lastError: JobError, at: string): Promise<void>;
  /** Finishes the job and counts it on the run, atomically and at most once. */
  finishJob(runId: string, jobId: string, outcome: JobOutcome): Promise<FinishJobResult>;
  /**
   * Lets a failed job run again (a redrive or a run retry), before its message is sent again: `failed` → `queued`
   * with `attemptsMade = 0` and `deadLettered = false` (the last error is kept), taken off the run's `failed` (and
   * `dead`) counters; a finished run goes back to `running` without `finishedAt`, and finishes again with its jobs.
   * At most once per failure: a job that is not `failed` is left as it is (`reopened: false`). A reopen interrupted
   * between the job and its run is completed by the next call: a finished run with an unfinished job is put back
   * to `running` with counters recounted from its jobs.
   */
  reopenJob(runId: string, jobId: string, at: string): Promise<ReopenJobResult>;
  /** Recounts the run's counters from its jobs, finishing the run if they are all done. */
  recountRun(runId: string, at: string): Promise<Run>;
  /** Adds upstream requests made on the run's behalf (request planning counts date-wide fetches once). */
  addUpstreamRequests(runId: string, count: number): Promise<void>;
}
