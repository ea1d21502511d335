import { NotFoundError } from '#shared/domain/errors.ts';
import { addTallies, decideJob, type JobTally, noTally, tallyChange } from '#shared/domain/job-transitions.ts';
import type { FetchCheckpoint, Job, JobStatus, Run } from '#shared/domain/run.ts';
import {
  type CountedJobs,
  decideRun,
  mayBeDone,
  type RunEvent,
  type RunRefusal,
  unfinishedRunStatuses,
  withTally,
} from '#shared/domain/run-transitions.ts';
import type { JobUpdate, JobUpdateResult, Page, RunChange, RunLedger } from '#shared/ports/run-ledger.ts';

/**
 * RunLedger in memory: the same state machines decide every change (single-threaded, so each decision is made on
 * the current record and no write ever races). `putJob` stages what a crash leaves behind.
 */
export class InMemoryRunLedger implements RunLedger {
  readonly #runs = new Map<string, Run>();
  readonly #jobs = new Map<string, Map<string, Job>>();
  readonly #dateCheckpoints = new Map<string, FetchCheckpoint>();

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

  async listOpenRuns(options: { limit?: number; cursor?: string } = {}): Promise<Page<Run>> {
    const runs = [...this.#runs.values()]
      .filter((run) => unfinishedRunStatuses.has(run.status))
      .sort((a, b) => runSortKey(a).localeCompare(runSortKey(b)));
    return paginate(runs, runSortKey, options, 'ascending');
  }

  async updateRun(runId: string, event: RunEvent): Promise<RunChange & { readonly refused?: RunRefusal }> {
    const run = this.#requireRun(runId);
    const decision = decideRun(run, event);
    if ('refused' in decision) return { run: structuredClone(run), refused: decision.refused };
    this.#runs.set(runId, decision.run);
    if (decision.finished) return { run: structuredClone(decision.run), finished: structuredClone(decision.run) };
    return event.kind === 'enqueued' ? this.#finishIfDone(runId, event.at) : { run: structuredClone(decision.run) };
  }

  async addJobs(runId: string, jobs: readonly Job[]): Promise<void> {
    const runJobs = this.#jobsOf(runId);
    for (const job of jobs) if (!runJobs.has(job.jobId)) runJobs.set(job.jobId, structuredClone(job));
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
    return paginate(structuredClone(jobs), (job) => job.jobId, options, 'ascending');
  }

  async updateJobs(
    runId: string,
    updates: readonly JobUpdate[],
  ): Promise<RunChange & { readonly jobs: readonly JobUpdateResult[] }> {
    this.#requireRun(runId);
    let tally: JobTally = noTally;
    const results = updates.map((update): JobUpdateResult => {
      const job = this.#jobs.get(runId)?.get(update.jobId);
      if (job === undefined) return { jobId: update.jobId, applied: false, refused: 'unknown' };
      const decision = decideJob(job, update.event);
      if ('refused' in decision) {
        return { jobId: update.jobId, applied: false, refused: decision.refused, job: structuredClone(job) };
      }
      this.#jobsOf(runId).set(update.jobId, decision.job);
      tally = addTallies(tally, tallyChange(job, decision.job));
      return { jobId: update.jobId, applied: true, job: structuredClone(decision.job) };
    });
    const at = updates.at(-1)?.event.at ?? new Date().toISOString();
    const run = this.#requireRun(runId);
    this.#runs.set(runId, { ...withTally(run, tally), updatedAt: at });
    return { ...(await this.#finishIfDone(runId, at)), jobs: results };
  }

  async recountRun(runId: string, at: string): Promise<RunChange> {
    const run = this.#requireRun(runId);
    const decision = decideRun(run, { kind: 'recount', at, counted: this.#countJobs(run) });
    if ('refused' in decision) return { run: structuredClone(run) };
    this.#runs.set(runId, decision.run);
    return decision.finished
      ? { run: structuredClone(decision.run), finished: structuredClone(decision.run) }
      : { run: structuredClone(decision.run) };
  }

  async addUpstreamRequests(runId: string, count: number): Promise<void> {
    const run = this.#requireRun(runId);
    this.#runs.set(runId, { ...run, upstreamRequests: run.upstreamRequests + count });
  }

  async getDateCheckpoint(runId: string, date: string): Promise<FetchCheckpoint | undefined> {
    const checkpoint = this.#dateCheckpoints.get(`${runId}@${date}`);
    return checkpoint === undefined ? undefined : structuredClone(checkpoint);
  }

  async saveDateCheckpoint(runId: string, date: string, checkpoint: FetchCheckpoint | undefined): Promise<void> {
    if (checkpoint === undefined) this.#dateCheckpoints.delete(`${runId}@${date}`);
    else this.#dateCheckpoints.set(`${runId}@${date}`, structuredClone(checkpoint));
  }

  /** Sets a job as given, bypassing the state machine: tests use it to stage a crash's leftovers. */
  putJob(runId: string, job: Job): void {
    this.#jobsOf(runId).set(job.jobId, structuredClone(job));
  }

  async #finishIfDone(runId: string, at: string): Promise<RunChange> {
    const run = this.#requireRun(runId);
    if (!mayBeDone(run)) return { run: structuredClone(run) };
    return this.recountRun(runId, at);
  }

  #countJobs(run: Run): CountedJobs {
    const jobs = [...(this.#jobs.get(run.runId)?.values() ?? [])];
    const count = (keep: (job: Job) => boolean): number => jobs.filter(keep).length;
    return {
      counters: {
        total: run.counters.total,
        succeeded: count((job) => job.status === 'succeeded'),
        failed: count((job) => job.status === 'failed'),
        dead: count((job) => job.status === 'failed' && job.deadLettered),
      },
      waitingForRateLimit: count((job) => job.waitingFor === 'rate-limit'),
      deferrals: jobs.reduce((sum, job) => sum + job.deferrals, 0),
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
