import { getDataset } from '#shared/datasets/registry.ts';
import { planRequests } from '#shared/domain/request-planning.ts';
import type { Job, Run } from '#shared/domain/run.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';

/**
 * The messages that send a run's jobs (again), planned as the dispatcher plans them — one date-wide message for
 * many codes of a date — each with the jobs it carries, so that a send that fails can be traced to its jobs.
 */
export function messagesForJobs(run: Run, jobs: readonly Job[]): { message: JobMessage; jobs: Job[] }[] {
  const base = {
    runId: run.runId,
    groupId: run.groupId,
    dataSource: run.dataSource,
    dataset: run.dataset,
    businessDate: run.businessDate,
  };
  const plan = planRequests(getDataset(run.dataset) ?? { dateWide: false }, jobs);
  const byId = new Map(jobs.map((job) => [job.jobId, job]));
  return [
    ...plan.dateWide.map((request) => ({
      message: { version: 2 as const, ...base, date: request.date },
      jobs: request.jobIds.flatMap((jobId) => byId.get(jobId) ?? []),
    })),
    ...plan.perJob.map((planned) => ({
      message: { version: 1 as const, ...base, jobId: planned.jobId, params: planned.params as Job['params'] },
      jobs: byId.get(planned.jobId) === undefined ? [] : [byId.get(planned.jobId) as Job],
    })),
  ];
}
