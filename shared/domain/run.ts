import { DataSourceIdSchema } from '#shared/domain/data-source.ts';
import { JobGroupIdSchema } from '#shared/domain/job-group-id.ts';
import * as z from '#shared/zod.ts';

/**
 * Runs and jobs (design §1): a run is one firing of a group for one business date; a job is one unit of fetch work
 * inside it. These are the records of the run ledger.
 */

const IsoInstantSchema = z.iso.datetime({ offset: true });
const IsoDateSchema = z.iso.date();

export const RunTriggerSchema = z.enum(['scheduled', 'manual', 'backfill', 'dependency']);
export type RunTrigger = z.infer<typeof RunTriggerSchema>;

export const RunStatusSchema = z.enum([
  'dispatching',
  'running',
  'succeeded',
  'partially_failed',
  'failed',
  'skipped',
  'missed',
]);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const RunCountersSchema = z.strictObject({
  total: z.int().check(z.gte(0)),
  succeeded: z.int().check(z.gte(0)),
  failed: z.int().check(z.gte(0)),
  /** Failed jobs that were sent to the data source's dead-letter queue (a subset of `failed`). */
  dead: z.int().check(z.gte(0)),
});
export type RunCounters = z.infer<typeof RunCountersSchema>;

export const RunSchema = z.strictObject({
  runId: z.string().check(z.minLength(1), z.maxLength(200)),
  groupId: JobGroupIdSchema,
  dataSource: DataSourceIdSchema,
  dataset: z.string().check(z.minLength(1)),
  trigger: RunTriggerSchema,
  /** The tick this run answers: the schedule's fire time, or the request time of a manual run. */
  scheduledTime: IsoInstantSchema,
  /** The scheduled time's calendar date in the group's timezone. */
  businessDate: IsoDateSchema,
  status: RunStatusSchema,
  /** Why a run was skipped or missed. */
  reason: z.optional(z.string()),
  counters: RunCountersSchema,
  upstreamRequests: z.int().check(z.gte(0)),
  createdAt: IsoInstantSchema,
  updatedAt: IsoInstantSchema,
  finishedAt: z.optional(IsoInstantSchema),
});
export type Run = z.infer<typeof RunSchema>;

export const JobStatusSchema = z.enum(['queued', 'running', 'retrying', 'succeeded', 'failed']);
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** Statuses a job never leaves (a redrive or run retry starts a new attempt cycle explicitly). */
export const finishedJobStatuses: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed']);

export const JobErrorSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
});
export type JobError = z.infer<typeof JobErrorSchema>;

export const JobSchema = z.strictObject({
  runId: z.string().check(z.minLength(1)),
  jobId: z.string().check(z.minLength(1), z.maxLength(200)),
  params: z.record(z.string(), z.json()),
  status: JobStatusSchema,
  attemptsMade: z.int().check(z.gte(0)),
  maxAttempts: z.int().check(z.gte(1)),
  /** Set when the job ended in a dead-letter queue. */
  deadLettered: z.boolean(),
  durationMs: z.optional(z.number().check(z.gte(0))),
  rowsWritten: z.optional(z.int().check(z.gte(0))),
  upstreamRequests: z.optional(z.int().check(z.gte(0))),
  lastError: z.optional(JobErrorSchema),
  updatedAt: IsoInstantSchema,
});
export type Job = z.infer<typeof JobSchema>;

/** The status a run ends with once every job has finished. */
export function finalRunStatus(counters: RunCounters): RunStatus {
  if (counters.failed === 0) return 'succeeded';
  return counters.succeeded === 0 ? 'failed' : 'partially_failed';
}

/** True when every job of the run has finished. */
export function allJobsFinished(counters: RunCounters): boolean {
  return counters.succeeded + counters.failed >= counters.total;
}

/** A compact UTC stamp for ids: `2026-11-27T07:30:00.000Z` → `20261127T073000Z`. */
export function compactInstant(instant: string): string {
  return new Date(instant)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** The run id of a scheduled tick: the same tick always gives the same id, which makes claiming idempotent. */
export function scheduledRunId(groupId: string, scheduledTime: string): string {
  return `${groupId}.${compactInstant(scheduledTime)}`;
}
