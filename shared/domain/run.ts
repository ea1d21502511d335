import { DataSourceIdSchema } from '#shared/domain/data-source.ts';
import { JobGroupIdSchema } from '#shared/domain/job-group-id.ts';
import * as z from '#shared/zod.ts';

/**
 * Runs and jobs (design §1): a run is one firing of a group for one business date; a job is one unit of fetch work
 * inside it. These are the records of the run ledger; their transitions are `job-transitions.ts` and
 * `run-transitions.ts`.
 */

const IsoInstantSchema = z.iso.datetime({ offset: true });
const IsoDateSchema = z.iso.date();
const countSchema = () => z.int().check(z.gte(0));

export const RunTriggerSchema = z.enum(['scheduled', 'manual', 'backfill', 'dependency']);
export type RunTrigger = z.infer<typeof RunTriggerSchema>;

export const RunStatusSchema = z.enum([
  'waiting',
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
  total: countSchema(),
  succeeded: countSchema(),
  failed: countSchema(),
  /** Failed jobs that were sent to the data source's dead-letter queue (a subset of `failed`). */
  dead: countSchema(),
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
  /** Why a run was skipped, missed or failed as a whole (`timed out`, a template that did not expand). */
  reason: z.optional(z.string()),
  counters: RunCountersSchema,
  upstreamRequests: countSchema(),
  /** Rows its jobs have written. */
  rowsWritten: z._default(countSchema(), 0),
  /** Jobs waiting for a request slot of their data source right now. */
  waitingForRateLimit: z._default(countSchema(), 0),
  /** Times the run's jobs were deferred by the rate limit, in all. */
  deferrals: z._default(countSchema(), 0),
  createdAt: IsoInstantSchema,
  updatedAt: IsoInstantSchema,
  /** When every job of the run was stored: a resumed dispatch sends them from the ledger, not a new expansion. */
  plannedAt: z.optional(IsoInstantSchema),
  /** When the run's jobs were all enqueued: its deadline counts from here. */
  runningAt: z.optional(IsoInstantSchema),
  /** Past this, the watchdog fails the run's unfinished jobs (`run_timed_out`) and the run (`timed out`). */
  deadlineAt: z.optional(IsoInstantSchema),
  finishedAt: z.optional(IsoInstantSchema),
  /** Bumped by every change, counts included: a decision is written only on the revision it was made on. */
  revision: z._default(countSchema(), 0),
  /** The backfill the run belongs to (trigger `backfill`). */
  backfillId: z.optional(z.string()),
  /**
   * Set while the run waits for its group's dependencies (`waiting`), or once it was `skipped` because they failed:
   * an upstream run that finishes again may still let it run.
   */
  blockedBy: z.optional(z.literal('dependencies')),
});
export type Run = z.infer<typeof RunSchema>;

export const JobStatusSchema = z.enum(['queued', 'running', 'retrying', 'succeeded', 'failed']);
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** Statuses a job never leaves on its own (a redrive or run retry reopens a failed job explicitly). */
export const finishedJobStatuses: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed']);

export const JobErrorSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
});
export type JobError = z.infer<typeof JobErrorSchema>;

/** Rows one job has written and kept (not overwritten because the new row had no values) so far. */
export const RowCountsSchema = z.tuple([countSchema(), countSchema()]);
export type RowCounts = z.infer<typeof RowCountsSchema>;

/**
 * How far a paginated fetch has got, so that a deferred, retried or crashed fetch goes on from the next page instead
 * of fetching again what is stored. Kept on the job for a single-job fetch, on the run's date item for a date-wide
 * one.
 */
export const FetchCheckpointSchema = z.strictObject({
  /** The upstream's position of the next page; absent once every page is stored. */
  next: z.optional(z.string().check(z.minLength(1))),
  /** Pages stored so far. */
  pages: countSchema(),
  /** Rows written and kept so far: per job id (single-job fetch) or per issue code (date-wide fetch). */
  rows: z.record(z.string(), RowCountsSchema),
  /** Dates of the rows stored so far (a whole-market answer marks them complete once its last page is stored). */
  dates: z.array(IsoDateSchema),
});
export type FetchCheckpoint = z.infer<typeof FetchCheckpointSchema>;

/** Who holds a running job, until when: another delivery of its message leaves it alone meanwhile. */
export const JobLeaseSchema = z.strictObject({
  holder: z.string().check(z.minLength(1)),
  expiresAt: IsoInstantSchema,
});
export type JobLease = z.infer<typeof JobLeaseSchema>;

/**
 * The member jobs a date job fetches for: one request (plus pages) for the date answers every code, and each member
 * job (one code of the run's template) gets its own outcome. Counts only; the members themselves are stored beside
 * the job (`DateJobMember`).
 */
export const JobMembersSchema = z.strictObject({
  count: z.int().check(z.gte(1)),
  /** Members that have succeeded, kept across a reopen. */
  succeeded: countSchema(),
  /** Members that failed in the last attempt (a malformed row, or the whole job failing). */
  failed: countSchema(),
  /** Of those, the dead-lettered ones. */
  dead: countSchema(),
});
export type JobMembers = z.infer<typeof JobMembersSchema>;

export const JobSchema = z.strictObject({
  runId: z.string().check(z.minLength(1)),
  jobId: z.string().check(z.minLength(1), z.maxLength(200)),
  params: z.record(z.string(), z.json()),
  status: JobStatusSchema,
  attemptsMade: countSchema(),
  maxAttempts: z.int().check(z.gte(1)),
  /** Set when the job ended in a dead-letter queue. */
  deadLettered: z.boolean(),
  durationMs: z.optional(z.number().check(z.gte(0))),
  rowsWritten: z.optional(countSchema()),
  /** Rows the upstream sent without values while the stored row has them: the stored row was kept. */
  rowsKept: z.optional(countSchema()),
  upstreamRequests: z.optional(countSchema()),
  lastError: z.optional(JobErrorSchema),
  /** Set while the job waits for a request slot (its message is deferred until then). */
  waitingFor: z.optional(z.enum(['rate-limit'])),
  /** Since when the job has waited without fetching a page. */
  waitingSince: z.optional(IsoInstantSchema),
  /** Times the job was deferred by the rate limit. */
  deferrals: z._default(countSchema(), 0),
  /** When the job's current message is due to be delivered; the watchdog re-sends one that is long overdue. */
  messageDueAt: z.optional(IsoInstantSchema),
  /** When the job's current message was sent: a dead letter of an older one is stale. */
  messageSentAt: z.optional(IsoInstantSchema),
  /** Set on a date job: the member jobs it fetches for, and how they have fared. */
  members: z.optional(JobMembersSchema),
  /** Set on a member of a date job as listed: the date job that fetches it with the rest of its date. */
  fetchedWith: z.optional(z.string()),
  /** A backfill's range request: the rows it wrote and kept per date, for the runs of those dates. */
  rowsByDate: z.optional(z.record(IsoDateSchema, RowCountsSchema)),
  lease: z.optional(JobLeaseSchema),
  checkpoint: z.optional(FetchCheckpointSchema),
  /** Bumped by every change: a write applies only to the revision its decision was made on. */
  revision: z._default(countSchema(), 0),
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

/** The run of a group without a schedule for one business date, started by its dependencies: one per date. */
export function dependencyRunId(groupId: string, businessDate: string): string {
  return `${groupId}.${businessDate.replaceAll('-', '')}.dependency`;
}

/** The run id of a scheduled tick: the same tick always gives the same id, which makes claiming idempotent. */
export function scheduledRunId(groupId: string, scheduledTime: string): string {
  return `${groupId}.${compactInstant(scheduledTime)}`;
}

/** A run as first recorded: nothing counted yet; a run recorded `skipped` or `missed` is finished at once. */
export function newRun(
  fields: Pick<Run, 'runId' | 'groupId' | 'dataSource' | 'dataset' | 'trigger' | 'scheduledTime' | 'businessDate'> &
    Pick<Partial<Run>, 'backfillId' | 'blockedBy' | 'deadlineAt'> & {
      readonly status: 'waiting' | 'dispatching' | 'skipped' | 'missed';
      readonly reason?: string;
      readonly at: string;
    },
): Run {
  const { at, reason, ...identity } = fields;
  return {
    ...identity,
    ...(reason === undefined ? {} : { reason }),
    counters: { total: 0, succeeded: 0, failed: 0, dead: 0 },
    upstreamRequests: 0,
    rowsWritten: 0,
    waitingForRateLimit: 0,
    deferrals: 0,
    createdAt: at,
    updatedAt: at,
    ...(fields.status === 'dispatching' || fields.status === 'waiting' ? {} : { finishedAt: at }),
    revision: 0,
  };
}

/** A job as the dispatcher stores it, its message about to be sent (due at once); a date job with its member count. */
export function queuedJob(
  fields: Pick<Job, 'runId' | 'jobId' | 'params' | 'maxAttempts'> & { readonly at: string; readonly members?: number },
): Job {
  const { at, members, ...identity } = fields;
  return {
    ...identity,
    status: 'queued',
    attemptsMade: 0,
    deadLettered: false,
    deferrals: 0,
    messageDueAt: at,
    messageSentAt: at,
    ...(members === undefined ? {} : { members: { count: members, succeeded: 0, failed: 0, dead: 0 } }),
    revision: 0,
    updatedAt: at,
  };
}

/** One member job of a date job: its id and params in the run's template, and once it has run, its outcome. */
export const DateJobMemberSchema = z.strictObject({
  jobId: z.string().check(z.minLength(1), z.maxLength(200)),
  /** The member's issue code as rows carry it (5 characters). */
  code: z.string().check(z.minLength(1)),
  params: z.record(z.string(), z.json()),
  outcome: z.optional(
    z.strictObject({
      status: z.enum(['succeeded', 'failed']),
      rowsWritten: countSchema(),
      rowsKept: countSchema(),
      error: z.optional(JobErrorSchema),
    }),
  ),
});
export type DateJobMember = z.infer<typeof DateJobMemberSchema>;
