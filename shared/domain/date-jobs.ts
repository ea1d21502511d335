import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { type PlannableJob, planRequests, rowCodeOf } from '#shared/domain/request-planning.ts';
import { type DateJobMember, finishedJobStatuses, type Job, queuedJob } from '#shared/domain/run.ts';

/**
 * Date jobs: when many jobs of a run ask one date-wide dataset for one date each by code, the run stores one date job
 * that fetches the date once (one request plus pages) for all of them, and keeps each member job's outcome beside
 * it. So a full-market date costs the same few ledger writes as a single job, and each member still shows as a job
 * of its own.
 */

/** Members kept per stored item: 1,000 members take about 100 KB, well under DynamoDB's 400 KB item limit. */
export const membersPerItem = 1_000;

/** The id of the date job that fetches `date` once; no template job id starts with `@`. */
export function dateJobId(date: string): string {
  return `@date-${date}`;
}

/** What a run stores for its template's jobs. */
export interface RunJobs {
  /** The jobs to store: a date job per date fetched date-wide, and every other job as it is. */
  readonly jobs: Job[];
  /** Each date job's members, by the date job's id. */
  readonly members: Record<string, DateJobMember[]>;
  /** The template's jobs: the run's total, each member counted. */
  readonly total: number;
}

/**
 * The jobs a run stores for its template's jobs, planned as their requests will be (`planRequests`): the jobs of
 * one date that a date-wide request fetches together become one date job with them as its members.
 */
export function runJobsOf(
  dataset: Pick<DatasetDefinition, 'dateWide'>,
  expanded: readonly PlannableJob[],
  fields: Pick<Job, 'runId' | 'maxAttempts'> & { readonly at: string },
): RunJobs {
  const plan = planRequests(dataset, expanded);
  const byId = new Map(expanded.map((job) => [job.jobId, job]));
  const members: Record<string, DateJobMember[]> = {};
  const dateJobs = plan.dateWide.map((request) => {
    const jobId = dateJobId(request.date);
    members[jobId] = request.jobIds.map((memberId) => {
      const params = (byId.get(memberId)?.params ?? {}) as DateJobMember['params'];
      return { jobId: memberId, code: rowCodeOf(String(params.code)), params };
    });
    return queuedJob({ ...fields, jobId, params: { date: request.date }, members: request.jobIds.length });
  });
  const single = plan.perJob.map((job) =>
    queuedJob({ ...fields, jobId: job.jobId, params: job.params as Job['params'] }),
  );
  return { jobs: [...dateJobs, ...single], members, total: expanded.length };
}

/** The members of a date job in the groups they are stored in. */
export function memberShards(members: readonly DateJobMember[]): DateJobMember[][] {
  const shards: DateJobMember[][] = [];
  for (let start = 0; start < members.length; start += membersPerItem) {
    shards.push(members.slice(start, start + membersPerItem));
  }
  return shards;
}

/**
 * A member of a date job as a job of its own. A member that succeeded keeps that; one still to run shows the date
 * job's state; one that failed shows its own error once the date job has finished, or the date job's failure.
 */
export function memberView(dateJob: Job, member: DateJobMember): Job {
  const { members: _members, checkpoint: _checkpoint, upstreamRequests: _requests, ...shared } = dateJob;
  const base = { ...shared, jobId: member.jobId, params: member.params, fetchedWith: dateJob.jobId };
  const outcome = member.outcome;
  if (outcome?.status === 'succeeded') {
    return withoutPending({
      ...base,
      status: 'succeeded',
      deadLettered: false,
      rowsWritten: outcome.rowsWritten,
      rowsKept: outcome.rowsKept,
    });
  }
  if (!finishedJobStatuses.has(dateJob.status)) {
    const { rowsWritten: _rows, rowsKept: _kept, ...pending } = base;
    return pending;
  }
  if (dateJob.status === 'succeeded' && outcome?.status === 'failed') {
    return withoutPending({
      ...base,
      status: 'failed',
      deadLettered: true,
      rowsWritten: 0,
      rowsKept: 0,
      ...(outcome.error === undefined ? {} : { lastError: outcome.error }),
    });
  }
  return withoutPending({ ...base, status: 'failed', rowsWritten: 0, rowsKept: 0 });
}

/** The members that have not succeeded yet: the ones an attempt of the date job fetches for. */
export function pendingMemberList(members: readonly DateJobMember[]): DateJobMember[] {
  return members.filter((member) => member.outcome?.status !== 'succeeded');
}

function withoutPending(job: Job): Job {
  const { lease: _lease, waitingFor: _waiting, waitingSince: _since, messageDueAt: _due, ...finished } = job;
  return finished;
}
