import {
  type DateJobMember,
  DateJobMemberSchema,
  type Job,
  JobSchema,
  type Run,
  RunSchema,
} from '#shared/domain/run.ts';
import { unfinishedRunStatuses } from '#shared/domain/run-transitions.ts';

/**
 * How the run ledger's records sit in its one table: a run and everything of it share the partition `RUN#<runId>`,
 * under the sort keys `RUN` (the run), `JOB#<jobId>` (a job; a date job too) and `MEMBERS#<dateJobId>#<n>` (a date
 * job's members, a thousand per item). The sparse index `openRuns` holds the unfinished runs; `runsByGroup` and
 * `runsByDate` a group's runs by scheduled time and by business date.
 */

export const runSk = 'RUN';
export const runPk = (runId: string): string => `RUN#${runId}`;
export const jobSk = (jobId: string): string => `JOB#${jobId}`;
export const membersPrefix = (dateJobId: string): string => `MEMBERS#${dateJobId}#`;
export const membersSk = (dateJobId: string, shard: number): string =>
  `${membersPrefix(dateJobId)}${String(shard).padStart(4, '0')}`;

/** The one partition of the sparse `openRuns` index: every unfinished run, and only those. */
export const openRunsPartition = 'open';

/** Attributes of the storage, not of the records: the keys and the index keys. */
export const storageAttributes = ['pk', 'sk', 'runSortKey', 'runDateKey', 'openRunsKey'] as const;

/** A run as stored: with its keys, and in the `openRuns` index while unfinished. */
export function runItem(run: Run): Record<string, unknown> {
  return {
    pk: runPk(run.runId),
    sk: runSk,
    runSortKey: `${run.scheduledTime}#${run.runId}`,
    runDateKey: `${run.businessDate}#${run.runId}`,
    ...(unfinishedRunStatuses.has(run.status) ? { openRunsKey: openRunsPartition } : {}),
    ...run,
  };
}

export function jobItem(runId: string, job: Job): Record<string, unknown> {
  return { pk: runPk(runId), sk: jobSk(job.jobId), ...job };
}

export function membersItem(runId: string, dateJobId: string, shard: number, members: readonly DateJobMember[]) {
  return { pk: runPk(runId), sk: membersSk(dateJobId, shard), members };
}

/**
 * A stored run. Its running counts only fall short in a crash, but a count that went below zero (a reopen counted
 * before the failure it takes back) is read as zero rather than making the run unreadable; the recount that finishes
 * the run writes them right.
 */
export function toRun(item: Record<string, unknown>): Run {
  const {
    pk: _pk,
    sk: _sk,
    runSortKey: _runSortKey,
    runDateKey: _runDateKey,
    openRunsKey: _openRunsKey,
    ...run
  } = item;
  const counters = run.counters as Record<string, unknown> | undefined;
  return RunSchema.parse({
    ...run,
    ...(counters === undefined ? {} : { counters: nonNegative(counters) }),
    ...nonNegative({
      waitingForRateLimit: run.waitingForRateLimit,
      deferrals: run.deferrals,
      rowsWritten: run.rowsWritten,
    }),
  });
}

export function toJob(item: Record<string, unknown>): Job {
  const { pk: _pk, sk: _sk, ...job } = item;
  return JobSchema.parse(job);
}

export function toMembers(item: Record<string, unknown>): DateJobMember[] {
  return ((item.members as unknown[] | undefined) ?? []).map((member) => DateJobMemberSchema.parse(member));
}

function nonNegative(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, typeof value === 'number' ? Math.max(0, value) : value]),
  );
}
