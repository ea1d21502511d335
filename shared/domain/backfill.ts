import { DataSourceIdSchema } from '#shared/domain/data-source.ts';
import { JobGroupIdSchema } from '#shared/domain/job-group-id.ts';
import { type Changes, changedRecord } from '#shared/domain/record-changes.ts';
import { compactInstant, JobErrorSchema, type Run } from '#shared/domain/run.ts';
import * as z from '#shared/zod.ts';

/**
 * A backfill (design §5): one run per JPX business date of a range, trigger `backfill`, for a group whose history is
 * missing. It plans its dates first (the stored calendar, fetched when missing; dates that already have a succeeded
 * run left out unless `force`), then works through them in the background lane of the rate limit, so a scheduled
 * tick never waits behind it:
 * - `dates`: each date is a run of its own, dispatched as a tick of that date would be, a few at a time;
 * - `ranges`: one range request per code covers every date (fewer requests when there are fewer codes than dates);
 *   each date's run is recorded once the requests that cover it have finished.
 *
 * Like runs, every change is one event decided here (`decideBackfill`) and persisted by the backfill store on the
 * revision it was decided on.
 */

const IsoInstantSchema = z.iso.datetime({ offset: true });
const IsoDateSchema = z.iso.date();
const countSchema = () => z.int().check(z.gte(0));

export const BackfillStatusSchema = z.enum([
  'planning',
  'running',
  'succeeded',
  'partially_failed',
  'failed',
  'cancelled',
]);
export type BackfillStatus = z.infer<typeof BackfillStatusSchema>;

/** Statuses a backfill never leaves. */
export const finishedBackfillStatuses: ReadonlySet<BackfillStatus> = new Set([
  'succeeded',
  'partially_failed',
  'failed',
  'cancelled',
]);

export const BackfillModeSchema = z.enum(['dates', 'ranges']);
export type BackfillMode = z.infer<typeof BackfillModeSchema>;

export const BackfillPlanSchema = z.lazy(() =>
  z.strictObject({
    mode: BackfillModeSchema,
    /** The business dates to run, oldest first. */
    dates: z.array(IsoDateSchema),
    /** Business dates of the range left out: they already had a succeeded run. */
    skipped: countSchema(),
    /** Upstream requests the plan needs, pages aside: what the ETA counts down. */
    plannedRequests: countSchema(),
  }),
);
export type BackfillPlan = z.infer<typeof BackfillPlanSchema>;

/** A date whose run did not succeed, with why. */
export const BackfillFailureSchema = z.lazy(() =>
  z.strictObject({
    date: IsoDateSchema,
    runId: z.string(),
    jobId: z.optional(z.string()),
    error: JobErrorSchema,
  }),
);
export type BackfillFailure = z.infer<typeof BackfillFailureSchema>;

/** Failures kept on the backfill; the rest are counted and found on their runs. */
export const maxFailuresKept = 50;

export const BackfillSchema = z.lazy(() =>
  z.strictObject({
    backfillId: z.string().check(z.minLength(1), z.maxLength(120)),
    groupId: JobGroupIdSchema,
    dataSource: DataSourceIdSchema,
    dataset: z.string().check(z.minLength(1)),
    from: IsoDateSchema,
    to: IsoDateSchema,
    force: z.boolean(),
    status: BackfillStatusSchema,
    /** Why it failed or was cancelled. */
    reason: z.optional(z.string()),
    plan: z.optional(BackfillPlanSchema),
    /** `dates`: how many of the plan's dates have had their run started (oldest first). */
    started: countSchema(),
    /** `dates`: the dates whose run is going; `ranges`: none (the range requests cover them all). */
    inFlight: z.array(IsoDateSchema),
    /** Runs of groups that depend on the backfilled group, started for its dates and not yet counted. */
    dependents: z._default(z.array(z.string()), []),
    /** `ranges`: the run of the range requests, once started. */
    rangesRunId: z.optional(z.string()),
    /** The run that fetched the JPX calendar for the range, when it had to. */
    calendarRunId: z.optional(z.string()),
    /** Runs on the backfill's behalf (its calendar, its range requests) whose upstream requests it has counted. */
    countedRuns: z.array(z.string()),
    progress: z.strictObject({
      /** Dates whose run succeeded. */
      done: countSchema(),
      /** Dates whose run finished without succeeding. */
      failed: countSchema(),
      jobs: z.strictObject({ total: countSchema(), succeeded: countSchema(), failed: countSchema() }),
      rowsWritten: countSchema(),
      upstreamRequests: countSchema(),
      /** Runs of dependent groups that succeeded, and that did not. */
      dependents: z._default(z.strictObject({ done: countSchema(), failed: countSchema() }), { done: 0, failed: 0 }),
    }),
    failures: z.array(BackfillFailureSchema),
    createdAt: IsoInstantSchema,
    updatedAt: IsoInstantSchema,
    finishedAt: z.optional(IsoInstantSchema),
    revision: countSchema(),
  }),
);
export type Backfill = z.infer<typeof BackfillSchema>;

/** The body of `POST /groups/{id}/backfill`. */
export const BackfillRequestSchema = z.lazy(() =>
  z.strictObject({
    from: IsoDateSchema,
    to: IsoDateSchema,
    force: z.optional(z.boolean()),
  }),
);
export type BackfillRequest = z.infer<typeof BackfillRequestSchema>;

/** One event in a backfill's life. */
export type BackfillEvent =
  /** Its dates are known: it runs them (or, with none left to run, has nothing to do). */
  | { readonly kind: 'planned'; readonly at: string; readonly plan: BackfillPlan }
  /** It had to fetch the JPX calendar first: the run doing so. */
  | { readonly kind: 'calendar-requested'; readonly at: string; readonly runId: string }
  /** `dates`: the runs of these dates (the next ones of the plan) were dispatched. */
  | { readonly kind: 'dates-started'; readonly at: string; readonly dates: readonly string[] }
  /** `ranges`: the run of its range requests was dispatched. */
  | { readonly kind: 'ranges-started'; readonly at: string; readonly runId: string }
  /** A date's run finished. */
  | { readonly kind: 'date-finished'; readonly at: string; readonly run: Run; readonly failure?: BackfillFailure }
  /** Runs of dependent groups were started for a date of it: it counts them too. */
  | { readonly kind: 'dependents-started'; readonly at: string; readonly runIds: readonly string[] }
  /** A dependent group's run of it finished. */
  | { readonly kind: 'dependent-finished'; readonly at: string; readonly run: Run; readonly failure?: BackfillFailure }
  /** Every date counted and no dependent run going: it finishes (otherwise nothing changes). */
  | { readonly kind: 'settle'; readonly at: string }
  /** A run on the backfill's behalf (its calendar, its range requests) finished: its requests count, once. */
  | { readonly kind: 'requests-made'; readonly at: string; readonly runId: string; readonly count: number }
  /** It cannot go on (its group was deleted, the calendar could not be fetched). */
  | { readonly kind: 'fail'; readonly at: string; readonly reason: string }
  /** An operator stopped it, for good. */
  | { readonly kind: 'cancel'; readonly at: string };

export type BackfillRefusal = 'finished' | 'not-planning' | 'not-running' | 'unknown-date' | 'counted' | 'unsettled';

export type BackfillDecision = { readonly backfill: Backfill } | { readonly refused: BackfillRefusal };

/** Decides what `event` does to `backfill` (pure: the backfill store persists the answer). */
export function decideBackfill(backfill: Backfill, event: BackfillEvent): BackfillDecision {
  if (finishedBackfillStatuses.has(backfill.status)) return { refused: 'finished' };
  switch (event.kind) {
    case 'planned': {
      if (backfill.status !== 'planning') return { refused: 'not-planning' };
      const planned = { status: 'running' as const, plan: event.plan };
      if (event.plan.dates.length > 0) return changed(backfill, event.at, planned);
      return changed(backfill, event.at, { ...planned, ...finish(event.at, 'succeeded') });
    }
    case 'calendar-requested':
      if (backfill.status !== 'planning') return { refused: 'not-planning' };
      return changed(backfill, event.at, { calendarRunId: event.runId });
    case 'dates-started':
      if (backfill.status !== 'running') return { refused: 'not-running' };
      return changed(backfill, event.at, {
        started: backfill.started + event.dates.length,
        inFlight: [...backfill.inFlight, ...event.dates],
      });
    case 'ranges-started':
      if (backfill.status !== 'running') return { refused: 'not-running' };
      return changed(backfill, event.at, { rangesRunId: event.runId });
    case 'date-finished':
      return dateFinished(backfill, event.at, event.run, event.failure);
    case 'dependents-started': {
      if (backfill.status !== 'running') return { refused: 'not-running' };
      const started = event.runIds.filter((runId) => !backfill.dependents.includes(runId));
      return changed(backfill, event.at, { dependents: [...backfill.dependents, ...started] });
    }
    case 'dependent-finished': {
      if (!backfill.dependents.includes(event.run.runId)) return { refused: 'unknown-date' };
      const succeeded = event.run.status === 'succeeded';
      const { dependents } = backfill.progress;
      return changed(backfill, event.at, {
        dependents: backfill.dependents.filter((runId) => runId !== event.run.runId),
        progress: {
          ...withRun(backfill.progress, event.run),
          dependents: { done: dependents.done + (succeeded ? 1 : 0), failed: dependents.failed + (succeeded ? 0 : 1) },
        },
        failures: withFailure(backfill.failures, event.failure),
      });
    }
    case 'settle':
      return settle(backfill, event.at);
    case 'requests-made':
      if (backfill.countedRuns.includes(event.runId)) return { refused: 'counted' };
      return changed(backfill, event.at, {
        countedRuns: [...backfill.countedRuns, event.runId],
        progress: { ...backfill.progress, upstreamRequests: backfill.progress.upstreamRequests + event.count },
      });
    case 'fail':
      return changed(backfill, event.at, { reason: event.reason, ...finish(event.at, 'failed') });
    case 'cancel':
      return changed(backfill, event.at, { reason: 'cancelled by an operator', ...finish(event.at, 'cancelled') });
  }
}

/** Counts a date's finished run in, once: a date no longer in flight, or past the dates already counted, is refused. */
function dateFinished(backfill: Backfill, at: string, run: Run, failure?: BackfillFailure): BackfillDecision {
  if (backfill.status !== 'running' || backfill.plan === undefined) return { refused: 'not-running' };
  const { mode, dates } = backfill.plan;
  const counted = backfill.progress.done + backfill.progress.failed;
  if (mode === 'dates' ? !backfill.inFlight.includes(run.businessDate) : dates[counted] !== run.businessDate) {
    return { refused: 'unknown-date' };
  }
  const succeeded = run.status === 'succeeded';
  return changed(backfill, at, {
    progress: {
      ...withRun(backfill.progress, run),
      done: backfill.progress.done + (succeeded ? 1 : 0),
      failed: backfill.progress.failed + (succeeded ? 0 : 1),
    },
    failures: withFailure(backfill.failures, failure),
    inFlight: backfill.inFlight.filter((date) => date !== run.businessDate),
    ...(mode === 'ranges' ? { started: counted + 1 } : {}),
  });
}

/**
 * Finishes a backfill whose dates have all been counted and whose dependent runs have all finished: `succeeded` when
 * every one succeeded, `failed` when nothing at all did, `partially_failed` otherwise.
 */
function settle(backfill: Backfill, at: string): BackfillDecision {
  const { progress, plan } = backfill;
  if (backfill.status !== 'running' || plan === undefined) return { refused: 'not-running' };
  if (progress.done + progress.failed < plan.dates.length || backfill.dependents.length > 0) {
    return { refused: 'unsettled' };
  }
  const failed = progress.failed + progress.dependents.failed;
  // Failed when nothing at all succeeded; a date whose run failed only in part still fetched something.
  const status = failed === 0 ? 'succeeded' : progress.jobs.succeeded === 0 ? 'failed' : 'partially_failed';
  return changed(backfill, at, finish(at, status));
}

/** The progress with a finished run's jobs, rows and requests added. */
function withRun(progress: Backfill['progress'], run: Run): Backfill['progress'] {
  return {
    ...progress,
    jobs: {
      total: progress.jobs.total + run.counters.total,
      succeeded: progress.jobs.succeeded + run.counters.succeeded,
      failed: progress.jobs.failed + run.counters.failed,
    },
    rowsWritten: progress.rowsWritten + run.rowsWritten,
    upstreamRequests: progress.upstreamRequests + run.upstreamRequests,
  };
}

function withFailure(failures: Backfill['failures'], failure: BackfillFailure | undefined): Backfill['failures'] {
  return failure === undefined || failures.length >= maxFailuresKept ? failures : [...failures, failure];
}

/** A new backfill of a group's dates `from`…`to`, to be planned. */
export function newBackfill(
  fields: Pick<Backfill, 'groupId' | 'dataSource' | 'dataset' | 'from' | 'to' | 'force'> & { readonly at: string },
): Backfill {
  const { at, ...identity } = fields;
  return {
    backfillId: `${identity.groupId}.${compactInstant(at)}.backfill-${Math.random().toString(36).slice(2, 6)}`,
    ...identity,
    status: 'planning',
    started: 0,
    inFlight: [],
    dependents: [],
    countedRuns: [],
    progress: {
      done: 0,
      failed: 0,
      jobs: { total: 0, succeeded: 0, failed: 0 },
      rowsWritten: 0,
      upstreamRequests: 0,
      dependents: { done: 0, failed: 0 },
    },
    failures: [],
    createdAt: at,
    updatedAt: at,
    revision: 0,
  };
}

/** The run of one date of a backfill: the same date always gives the same id, so starting it twice claims one run. */
export function backfillRunId(backfillId: string, date: string): string {
  return `${backfillId}.${date.replaceAll('-', '')}`;
}

/** The run that fetches a backfill's range requests. */
export function rangesRunId(backfillId: string): string {
  return `${backfillId}.ranges`;
}

/** True for the run of a backfill's range requests. */
export function isRangesRun(run: Pick<Run, 'runId' | 'backfillId'>): run is Run & { backfillId: string } {
  return run.backfillId !== undefined && run.runId === rangesRunId(run.backfillId);
}

/** The run that fetches the JPX calendar for a backfill. */
export function calendarRunId(backfillId: string): string {
  return `${backfillId}.calendar`;
}

/** A backfill's progress as the admin API shows it, with an ETA at `intervalMs` per remaining request. */
export function backfillProgress(backfill: Backfill, intervalMs: number) {
  const plan = backfill.plan;
  const planned = plan?.dates.length ?? 0;
  const finished = backfill.progress.done + backfill.progress.failed;
  const running =
    plan?.mode === 'ranges' ? (backfill.rangesRunId === undefined ? 0 : planned - finished) : backfill.inFlight.length;
  const remainingRequests = Math.max(0, (plan?.plannedRequests ?? 0) - backfill.progress.upstreamRequests);
  return {
    dates: {
      total: planned + (plan?.skipped ?? 0),
      skipped: plan?.skipped ?? 0,
      done: backfill.progress.done,
      running,
      pending: Math.max(0, planned - finished - running),
      failed: backfill.progress.failed,
    },
    dependents: {
      done: backfill.progress.dependents.done,
      running: backfill.dependents.length,
      failed: backfill.progress.dependents.failed,
    },
    jobs: backfill.progress.jobs,
    rowsWritten: backfill.progress.rowsWritten,
    upstreamRequests: backfill.progress.upstreamRequests,
    plannedRequests: plan?.plannedRequests ?? 0,
    ...(finishedBackfillStatuses.has(backfill.status) || plan === undefined
      ? {}
      : { etaSeconds: Math.ceil((remainingRequests * intervalMs) / 1000) }),
  };
}

function changed(backfill: Backfill, at: string, changes: Changes<Backfill>): BackfillDecision {
  return { backfill: changedRecord(backfill, at, changes) };
}

function finish(at: string, status: BackfillStatus): { status: BackfillStatus; finishedAt: string } {
  return { status, finishedAt: at };
}
