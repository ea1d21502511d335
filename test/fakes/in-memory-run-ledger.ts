import { memberView } from '#shared/domain/date-jobs.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import {
  addTallies,
  decideJob,
  finishesJobs,
  isNoTally,
  type JobTally,
  noTally,
  tallyChange,
} from '#shared/domain/job-transitions.ts';
import type { DateJobMember, Job, JobStatus, Run } from '#shared/domain/run.ts';
import {
  countJobs,
  decideRun,
  mayBeDone,
  type RunEvent,
  type RunRefusal,
  unfinishedRunStatuses,
  withTally,
} from '#shared/domain/run-transitions.ts';
import type { JobUpdate, JobUpdateResult, Page, RunChange, RunLedger } from '#shared/ports/run-ledger.ts';
import { paginate } from '#test/fakes/paginate.ts';

/**
 * RunLedger in memory: the same state machines decide every change (single-threaded, so each decision is made on
 * the current record and no write ever races). `putJob` stages what a crash leaves behind.
 */
export class InMemoryRunLedger implements RunLedger {
  readonly #runs = new Map<string, Run>();
  readonly #jobs = new Map<string, Map<string, Job>>();
  readonly #members = new Map<string, DateJobMember[]>();

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
    return paginate(structuredClone(runs), runSortKey, options);
  }

  async listRunsOfDates(groupId: string, dates: { from: string; to: string }): Promise<Run[]> {
    return structuredClone(
      [...this.#runs.values()]
        .filter((run) => run.groupId === groupId && run.businessDate >= dates.from && run.businessDate <= dates.to)
        .sort((a, b) => byteOrder(`${a.businessDate}#${a.runId}`, `${b.businessDate}#${b.runId}`)),
    );
  }

  async listOpenRuns(options: { limit?: number; cursor?: string } = {}): Promise<Page<Run>> {
    const runs = [...this.#runs.values()]
      .filter((run) => unfinishedRunStatuses.has(run.status))
      .sort((a, b) => runSortKey(a).localeCompare(runSortKey(b)));
    return paginate(structuredClone(runs), runSortKey, options, 'ascending');
  }

  async updateRun(runId: string, event: RunEvent): Promise<RunChange & { readonly refused?: RunRefusal }> {
    const run = this.#requireRun(runId);
    const decision = decideRun(run, event);
    if ('refused' in decision) return { run: structuredClone(run), refused: decision.refused };
    this.#runs.set(runId, decision.run);
    if (decision.finished) return { run: structuredClone(decision.run), finished: structuredClone(decision.run) };
    return event.kind === 'enqueued' ? this.#finishIfDone(runId, event.at) : { run: structuredClone(decision.run) };
  }

  async addJobs(
    runId: string,
    jobs: readonly Job[],
    members: Readonly<Record<string, readonly DateJobMember[]>> = {},
  ): Promise<void> {
    const runJobs = this.#jobsOf(runId);
    for (const jobId of runJobs.keys()) this.#members.delete(`${runId}/${jobId}`);
    runJobs.clear();
    for (const job of jobs) {
      runJobs.set(job.jobId, structuredClone(job));
      if (members[job.jobId] !== undefined)
        this.#members.set(`${runId}/${job.jobId}`, structuredClone([...(members[job.jobId] ?? [])]));
    }
  }

  async getJob(runId: string, jobId: string): Promise<Job | undefined> {
    const job = this.#jobs.get(runId)?.get(jobId);
    return job === undefined ? undefined : structuredClone(job);
  }

  async listJobs(
    runId: string,
    options: { status?: JobStatus; limit?: number; cursor?: string; asStored?: boolean } = {},
  ): Promise<Page<Job>> {
    const stored = [...(this.#jobs.get(runId)?.values() ?? [])].sort((a, b) => byteOrder(a.jobId, b.jobId));
    const listed = stored.flatMap((job) =>
      job.members === undefined || options.asStored === true
        ? [job]
        : (this.#members.get(`${runId}/${job.jobId}`) ?? []).map((member) => memberView(job, member)),
    );
    // Positions in the listing stand for keys: the order is stable, a date job's members in their stored order.
    const entries = listed
      .map((job, index) => ({ job, key: String(index).padStart(9, '0') }))
      .filter(({ job }) => options.status === undefined || job.status === options.status);
    const page = paginate(entries, (entry) => entry.key, options, 'ascending');
    return { ...page, items: structuredClone(page.items.map((entry) => entry.job)) };
  }

  async getMembers(runId: string, dateJobId: string): Promise<DateJobMember[]> {
    return structuredClone(this.#members.get(`${runId}/${dateJobId}`) ?? []);
  }

  async saveMembers(runId: string, dateJobId: string, members: readonly DateJobMember[]): Promise<void> {
    this.#members.set(`${runId}/${dateJobId}`, structuredClone([...members]));
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
    const run = this.#requireRun(runId);
    // As in DynamoDB: counts move only while the run is unfinished, and only a finishing change may finish it.
    if (!isNoTally(tally) && unfinishedRunStatuses.has(run.status)) {
      this.#runs.set(runId, withTally(run, tally, latestInstant(updates.map((update) => update.event.at))));
    }
    const at = latestInstant(updates.map((update) => update.event.at));
    const change = finishesJobs(tally)
      ? await this.#finishIfDone(runId, at)
      : { run: structuredClone(this.#requireRun(runId)) };
    return { ...change, jobs: results };
  }

  async recountRun(runId: string, at: string): Promise<RunChange> {
    const run = this.#requireRun(runId);
    const decision = decideRun(run, { kind: 'recount', at, counted: countJobs(this.#jobs.get(runId)?.values() ?? []) });
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

  /** Sets a job as given, bypassing the state machine: tests use it to stage a crash's leftovers. */
  putJob(runId: string, job: Job): void {
    this.#jobsOf(runId).set(job.jobId, structuredClone(job));
  }

  async #finishIfDone(runId: string, at: string): Promise<RunChange> {
    const run = this.#requireRun(runId);
    if (!mayBeDone(run)) return { run: structuredClone(run) };
    return this.recountRun(runId, at);
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

function latestInstant(instants: readonly string[]): string {
  return instants.reduce((latest, at) => (Date.parse(at) > Date.parse(latest) ? at : latest));
}

function runSortKey(run: Run): string {
  return `${run.scheduledTime}#${run.runId}`;
}

/** DynamoDB's sort key order (the ids are ASCII). */
function byteOrder(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
