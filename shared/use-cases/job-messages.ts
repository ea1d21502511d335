import { getDataset } from '#shared/datasets/registry.ts';
import { isRangesRun } from '#shared/domain/backfill.ts';
import { planRequests } from '#shared/domain/request-planning.ts';
import type { Job, Run } from '#shared/domain/run.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';

/**
 * The messages that send a run's jobs (again), each with the jobs it carries, so that a send that fails can be
 * traced to its jobs: a date job's date-wide message; single jobs planned as the dispatcher plans them (the jobs of
 * one date of a run from before date jobs, together).
 */
export function messagesForJobs(run: Run, jobs: readonly Job[]): { message: JobMessage; jobs: Job[] }[] {
  const base = {
    runId: run.runId,
    groupId: run.groupId,
    dataSource: run.dataSource,
    dataset: run.dataset,
    businessDate: run.businessDate,
    // A backfill's work goes in the background lane of the rate limit: scheduled runs never wait behind it.
    ...(run.trigger === 'backfill' ? { priority: 'background' as const } : {}),
  };
  // The rows of a backfill's range requests belong to the runs of their own dates.
  const ranges = isRangesRun(run) ? { backfillId: run.backfillId } : {};
  const dateJobs = jobs.filter((job) => job.members !== undefined);
  const single = jobs.filter((job) => job.members === undefined);
  const plan = planRequests(getDataset(run.dataset) ?? { dateWide: false }, single);
  const byId = new Map(single.map((job) => [job.jobId, job]));
  return [
    ...dateJobs.map((job) => ({
      message: { version: 2 as const, ...base, date: String(job.params.date) },
      jobs: [job],
    })),
    ...plan.dateWide.map((request) => ({
      message: { version: 2 as const, ...base, date: request.date },
      jobs: request.jobIds.flatMap((jobId) => byId.get(jobId) ?? []),
    })),
    ...plan.perJob.map((planned) => ({
      message: {
        version: 1 as const,
        ...base,
        jobId: planned.jobId,
        params: planned.params as Job['params'],
        ...ranges,
      },
      jobs: byId.get(planned.jobId) === undefined ? [] : [byId.get(planned.jobId) as Job],
    })),
  ];
}
