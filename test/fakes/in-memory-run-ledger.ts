import { NotFoundError } from '#shared/domain/errors.ts';
import {
  allJobsFinished,
  finalRunStatus,
  finishedJobStatuses,
  type Job,
  type JobError,
  type JobStatus,
  type Run,
  type RunStatus,
} from '#shared/domain/run.ts';
import type { FinishJobResult, JobOutcome, Page, ReopenJobResult, RunLedger } from '#shared/ports/run-ledger.ts';

/** RunLedger in memory, with the same guarantees as the DynamoDB adapter (single-threaded, so trivially atomic). */
export class InMemoryRunLedger implements RunLedger {
  readonly #runs = new Map<string, Run>();
  readonly #jobs = new Map<string, Map<string, Job>>();

  async claimRun(run: Run): Promise<boolean> {
    if (this.#runs.has(run.runId)) return false;
    this.#runs.set(run.runId, structuredClone(run));
    this.#jobs.set(run.runId, new Map());
    return true;
  }

  async getRun(runId: string): Promise<Run | undefined> {
    const run = this.#runs.get(runId);
    return run === undefined ? undefined : structuredClone(run);
  }

  async listRuns(groupId: string, options: { limit?: number; cursor?: string } = {}): Promise<Page<Run>> {
    const runs = [...this.#runs.values()]
      .filter((run) => run.groupId === groupId)
      .sort((a, b) => runSortKey(b).localeCompare(runSortKey(a)));
    return paginate(runs, runSortKey, options);
  }

  async addJobs(runId: string, jobs: readonly Job[]): Promise<void> {
    const runJobs = this.#jobsOf(runId);
    for (const job of jobs) if (!runJobs.has(job.jobId)) runJobs.set(job.jobId, structuredClone(job));
  }

  async updateRun(
    runId: string,
    changes: { status: RunStatus; total?: number; reason?: string; at: string },
  ): Promise<Run> {
    const run = this.#requireRun(runId);
    const next: Run = {
      ...run,
      status: changes.status,
      updatedAt: changes.at,
      counters: { ...run.counters, total: changes.total ?? run.counters.total },
      ...(changes.reason === undefined ? {} : { reason: changes.reason }),
    };
    this.#runs.set(runId, this.#finishRunIfDone(next, changes.at));
    return structuredClone(this.#requireRun(runId));
  }

  async getJob(runId: string, jobId: string): Promise<Job | undefined> {
    const job = this.#jobs.get(runId)?.get(jobId);
    return job === undefined ? undefined : structuredClone(job);
  }

  async listJobs(
    runId: string,
    options: { status?: JobStatus; limit?: number; cursor?: string } = {},
  ): Promise<Page<Job>> {
    const jobs = [...(this.#jobs.get(runId)?.values() ?? [])]
      .filter((job) => options.status === undefined || job.status === options.status)
      .sort((a, b) => a.jobId.localeCompare(b.jobId));
    return paginate(jobs, (job) => job.jobId, options, 'ascending');
  }

  async startAttempt(runId: string, jobId: string, at: string): Promise<Job | undefined> {
    const job = this.#requireJob(runId, jobId);
    if (finishedJobStatuses.has(job.status)) return undefined;
    const next: Job = { ...job, status: 'running', attemptsMade: job.attemptsMade + 1, updatedAt: at };
    this.#jobsOf(runId).set(jobId, next);
    return structuredClone(next);
  }

  async releaseAttempt(runId: string, jobId: string, at: string): Promise<void> {
    const job = this.#requireJob(runId, jobId);
    if (job.status !== 'running' || job.attemptsMade === 0) return;
    this.#jobsOf(runId).set(jobId, { ...job, status: 'queued', attemptsMade: job.attemptsMade - 1, updatedAt: at });
  }

  async recordRetry(runId: string, jobId: string, lastError: JobError, at: string): Promise<void> {
    const job = this.#requireJob(runId, jobId);
    if (finishedJobStatuses.has(job.status)) return;
    this.#jobsOf(runId).set(jobId, { ...job, status: 'retrying', lastError, updatedAt: at });
  }

  async finishJob(runId: string, jobId: string, outcome: JobOutcome): Promise<FinishJobResult> {
    const job = this.#requireJob(runId, jobId);
    const run = this.#requireRun(runId);
    if (finishedJobStatuses.has(job.status)) return { counted: false, run: structuredClone(run) };
    this.#jobsOf(runId).set(jobId, {
      ...job,
      status: outcome.status,
      deadLettered: outcome.deadLettered ?? false,
      durationMs: outcome.durationMs,
      upstreamRequests: outcome.upstreamRequests,
      updatedAt: outcome.at,
      ...(outcome.rowsWritten === undefined ? {} : { rowsWritten: outcome.rowsWritten }),
      ...(outcome.lastError === undefined ? {} : { lastError: outcome.lastError }),
    });
    const counters = {
      ...run.counters,
      succeeded: run.counters.succeeded + (outcome.status === 'succeeded' ? 1 : 0),
      failed: run.counters.failed + (outcome.status === 'failed' ? 1 : 0),
      dead: run.counters.dead + (outcome.deadLettered === true ? 1 : 0),
    };
    const next = this.#finishRunIfDone({ ...run, counters, updatedAt: outcome.at }, outcome.at);
    this.#runs.set(runId, next);
    return { counted: true, run: structuredClone(next) };
  }

  async reopenJob(runId: string, jobId: string, at: string): Promise<ReopenJobResult> {
    const job = this.#requireJob(runId, jobId);
    const run = this.#requireRun(runId);
    if (job.status === 'failed') {
      this.#jobsOf(runId).set(jobId, { ...job, status: 'queued', attemptsMade: 0, deadLettered: false, updatedAt: at });
      const counters = {
        ...run.counters,
        failed: Math.max(0, run.counters.failed - 1),
        dead: Math.max(0, run.counters.dead - (job.deadLettered ? 1 : 0)),
      };
      this.#runs.set(runId, backToRunning({ ...run, counters, updatedAt: at }));
    } else if (!finishedJobStatuses.has(job.status)) {
      this.#runs.set(runId, backToRunning(run));
    }
    return { reopened: job.status === 'failed', job: structuredClone(this.#requireJob(runId, jobId)) };
  }

  async recountRun(runId: string, at: string): Promise<Run> {
    const run = this.#requireRun(runId);
    const counters = this.#countJobs(runId, run.counters.total);
    const next = this.#finishRunIfDone({ ...run, counters, updatedAt: at }, at);
    this.#runs.set(runId, next);
    return structuredClone(next);
  }

  async addUpstreamRequests(runId: string, count: number): Promise<void> {
    const run = this.#requireRun(runId);
    this.#runs.set(runId, { ...run, upstreamRequests: run.upstreamRequests + count });
  }

  #finishRunIfDone(run: Run, at: string): Run {
    if (run.status !== 'running' || !allJobsFinished(run.counters)) return run;
    // As in DynamoDB: the running counters may be off (one over after an interrupted reopen); the jobs decide.
    const counters = this.#countJobs(run.runId, run.counters.total);
    if (!allJobsFinished(counters)) return run;
    return { ...run, counters, status: finalRunStatus(counters), finishedAt: at, updatedAt: at };
  }

  #countJobs(runId: string, total: number): Run['counters'] {
    const jobs = [...(this.#jobs.get(runId)?.values() ?? [])];
    return {
      total,
      succeeded: jobs.filter((job) => job.status === 'succeeded').length,
      failed: jobs.filter((job) => job.status === 'failed').length,
      dead: jobs.filter((job) => job.deadLettered).length,
    };
  }

  #requireRun(runId: string): Run {
    const run = this.#runs.get(runId);
    if (run === undefined) throw new NotFoundError('run', runId);
    return run;
  }

  #jobsOf(runId: string): Map<string, Job> {
    this.#requireRun(runId);
    let jobs = this.#jobs.get(runId);
    if (jobs === undefined) {
      jobs = new Map();
      this.#jobs.set(runId, jobs);
    }
    return jobs;
  }

  #requireJob(runId: string, jobId: string): Job {
    const job = this.#jobs.get(runId)?.get(jobId);
    if (job === undefined) throw new NotFoundError('job', `${runId}/${jobId}`);
    return job;
  }
}

/** A run that had finished its jobs, running again; any other run as it is. */
function backToRunning(run: Run): Run {
  if (run.status !== 'succeeded' && run.status !== 'partially_failed' && run.status !== 'failed') return run;
  const { finishedAt: _finishedAt, ...unfinished } = run;
  return { ...unfinished, status: 'running' };
}

function runSortKey(run: Run): string {
  return `${run.scheduledTime}#${run.runId}`;
}

function paginate<Item>(
  items: Item[],
  keyOf: (item: Item) => string,
  options: { limit?: number; cursor?: string },
  order: 'ascending' | 'descending' = 'descending',
): Page<Item> {
  const after = options.cursor;
  const start =
    after === undefined
      ? 0
      : items.findIndex((item) => (order === 'ascending' ? keyOf(item) > after : keyOf(item) < after));
  const remaining = start < 0 ? [] : items.slice(start);
  const limit = options.limit ?? 100;
  const page = remaining.slice(0, limit);
  const last = page.at(-1);
  return remaining.length > limit && last !== undefined ? { items: page, cursor: keyOf(last) } : { items: page };
}
