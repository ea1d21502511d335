import { type Changes, changedRecord } from '#shared/domain/record-changes.ts';
import {
  type FetchCheckpoint,
  finishedJobStatuses,
  type Job,
  type JobError,
  type RowCounts,
} from '#shared/domain/run.ts';

/**
 * The job state machine (design §1). A job is `queued` until a delivery of its message starts an attempt
 * (`running`); the attempt ends `succeeded`, `retrying` (another attempt will follow), `failed`, or `queued` again when
 * the rate limit defers it (its attempt given back). The watchdog fails a job whose run passed its deadline or whose
 * message the queue dead-lettered; a redrive or run retry reopens a failed job (`queued`). Every change is one
 * event decided here on the job as last read; the run ledger writes the result only while the stored job is still
 * that revision, and decides again otherwise.
 *
 * An attempt holds its job by a lease: events of an attempt name their holder, so an attempt that lost the job (it
 * ran past its lease, and another delivery took the job over) can no longer change it.
 *
 * A date job fetches one date once for many member jobs (`members`): its outcome counts per member, and a reopen
 * runs again only the members that failed.
 */

/** One event in a job's life. Instants are ISO strings. */
export type JobEvent =
  /** A delivery of the job's message starts an attempt, holding the job until `leaseExpiresAt`. */
  | { readonly kind: 'start'; readonly at: string; readonly holder: string; readonly leaseExpiresAt: string }
  /** The attempt stored a page of a paginated answer; the fetch goes on from `checkpoint` if interrupted. */
  | { readonly kind: 'checkpoint'; readonly at: string; readonly holder: string; readonly checkpoint: FetchCheckpoint }
  /**
   * The attempt found no request slot soon enough (or a 429 paused the data source): it gives its attempt back and
   * the job waits for the new message it sends, due at `messageDueAt`. `progressed` when the attempt stored a page.
   */
  | {
      readonly kind: 'defer';
      readonly at: string;
      readonly holder: string;
      readonly messageDueAt: string;
      readonly progressed: boolean;
    }
  /** The attempt failed in a way another attempt may not (5xx, timeout); its message is due again at `messageDueAt`. */
  | {
      readonly kind: 'retry';
      readonly at: string;
      readonly holder: string;
      readonly error: JobError;
      readonly messageDueAt: string;
    }
  /**
   * The attempt fetched everything. A date job says how its members stand, all told, as stored beside it (`members`,
   * and the rows of them all), so that a crash between storing them and this event loses nothing; others succeed
   * whole.
   */
  | {
      readonly kind: 'succeed';
      readonly at: string;
      readonly holder: string;
      readonly durationMs: number;
      readonly rowsWritten: number;
      readonly rowsKept: number;
      readonly upstreamRequests: number;
      readonly members?: { readonly succeeded: number; readonly failed: number };
      /** Why members failed, when some did. */
      readonly error?: JobError;
      /** A backfill's range request: the rows written and kept per date. */
      readonly rowsByDate?: Readonly<Record<string, RowCounts>>;
    }
  /**
   * The job cannot succeed: a permanent error, its attempts exhausted, or a send that could not happen. Without a
   * `holder` it applies to any unfinished job (a failed job whose reopening could not be sent, an exhausted job).
   */
  | {
      readonly kind: 'fail';
      readonly at: string;
      readonly holder?: string;
      readonly error: JobError;
      readonly deadLettered: boolean;
      readonly durationMs?: number;
      readonly upstreamRequests?: number;
    }
  /** The run passed its deadline before the job finished. */
  | { readonly kind: 'time-out'; readonly at: string; readonly deadlineAt: string }
  /**
   * The job queue moved a message of the job to its dead-letter queue (its receive limit) behind the ledger's back.
   * `sentAt` is when that message was sent: a newer message of the job makes the letter stale.
   */
  | { readonly kind: 'dead-lettered-by-queue'; readonly at: string; readonly error: JobError; readonly sentAt: string }
  /** A redrive or a run retry lets a failed job (or a date job's failed members) run again; its message follows. */
  | { readonly kind: 'reopen'; readonly at: string }
  /** The watchdog sent the job's message again because the last one is long overdue. */
  | { readonly kind: 'resend'; readonly at: string; readonly messageDueAt: string };

/** Why an event changed nothing. */
export type JobRefusal =
  /** The job has finished: a replayed message, a late duplicate or a late watchdog finds nothing to do. */
  | 'finished'
  /** Another attempt holds the job (its lease is live): a duplicate delivery leaves it alone. */
  | 'held'
  /** The event comes from an attempt that no longer holds the job. */
  | 'not-holder'
  /** No attempt is left: the last one ended without an outcome (the worker timed out or crashed). */
  | 'exhausted'
  /** Only a failed job, or a date job with failed members, can be reopened. */
  | 'not-failed'
  /** The dead letter is of a message older than the job's current one. */
  | 'stale';

/** What an event does to a job: its next state, or why nothing changes. */
export type JobDecision = { readonly job: Job } | { readonly refused: JobRefusal };

/** The fields an attempt sets while it runs, cleared when the job leaves `running` for good or for a while. */
const attemptFields = ['lease', 'waitingFor', 'waitingSince'] as const;
/** The fields that describe where a job stands between attempts, cleared once it has finished. */
const pendingFields = [...attemptFields, 'checkpoint', 'messageDueAt'] as const;

/** Decides what `event` does to `job` (pure: the ledger persists the answer). */
export function decideJob(job: Job, event: JobEvent): JobDecision {
  const finished = finishedJobStatuses.has(job.status);
  switch (event.kind) {
    case 'start': {
      if (finished) return { refused: 'finished' };
      if (isHeld(job, event.at)) return { refused: 'held' };
      if (job.attemptsMade >= job.maxAttempts) return { refused: 'exhausted' };
      // A running job with a lapsed lease is one whose attempt never came back: say so until it gets an outcome.
      const lastError = job.status === 'running' ? abandonedAttemptError(job.attemptsMade) : job.lastError;
      return changed(job, event.at, {
        status: 'running',
        attemptsMade: job.attemptsMade + 1,
        lease: { holder: event.holder, expiresAt: event.leaseExpiresAt },
        ...(lastError === undefined ? {} : { lastError }),
        waitingFor: undefined,
      });
    }
    case 'checkpoint': {
      const refusal = refusalOfHolder(job, event.holder);
      if (refusal !== undefined) return { refused: refusal };
      return changed(job, event.at, { checkpoint: event.checkpoint, waitingSince: undefined });
    }
    case 'defer': {
      const refusal = refusalOfHolder(job, event.holder);
      if (refusal !== undefined) return { refused: refusal };
      return changed(job, event.at, {
        status: 'queued',
        attemptsMade: Math.max(0, job.attemptsMade - 1),
        lease: undefined,
        waitingFor: 'rate-limit',
        waitingSince: event.progressed ? event.at : (job.waitingSince ?? event.at),
        deferrals: job.deferrals + 1,
        messageDueAt: event.messageDueAt,
        messageSentAt: event.at,
      });
    }
    case 'retry': {
      const refusal = refusalOfHolder(job, event.holder);
      if (refusal !== undefined) return { refused: refusal };
      return changed(job, event.at, {
        ...cleared(attemptFields),
        status: 'retrying',
        lastError: event.error,
        messageDueAt: event.messageDueAt,
      });
    }
    case 'succeed': {
      const refusal = refusalOfHolder(job, event.holder);
      if (refusal !== undefined) return { refused: refusal };
      const outcome = event.members ?? { succeeded: job.members?.count ?? 1, failed: 0 };
      const members =
        job.members === undefined
          ? undefined
          : { ...job.members, succeeded: outcome.succeeded, failed: outcome.failed, dead: outcome.failed };
      return changed(job, event.at, {
        ...cleared(pendingFields),
        status: 'succeeded',
        durationMs: event.durationMs,
        rowsWritten: event.rowsWritten,
        rowsKept: event.rowsKept,
        upstreamRequests: event.upstreamRequests,
        ...(members === undefined ? {} : { members }),
        ...(event.error === undefined ? {} : { lastError: event.error }),
        ...(event.rowsByDate === undefined ? {} : { rowsByDate: { ...event.rowsByDate } }),
      });
    }
    case 'fail': {
      const refusal =
        event.holder === undefined ? (finished ? 'finished' : undefined) : refusalOfHolder(job, event.holder);
      if (refusal !== undefined) return { refused: refusal };
      return failed(job, event.at, event.error, event.deadLettered, {
        ...(event.durationMs === undefined ? {} : { durationMs: event.durationMs }),
        ...(event.upstreamRequests === undefined ? {} : { upstreamRequests: event.upstreamRequests }),
      });
    }
    case 'time-out': {
      if (finished) return { refused: 'finished' };
      const error = { code: 'run_timed_out', message: `the run passed its deadline (${event.deadlineAt}) first` };
      return failed(job, event.at, error, false, {});
    }
    case 'dead-lettered-by-queue': {
      if (finished) return { refused: 'finished' };
      if (isHeld(job, event.at)) return { refused: 'held' };
      if (job.messageSentAt !== undefined && Date.parse(event.sentAt) < Date.parse(job.messageSentAt)) {
        return { refused: 'stale' };
      }
      return failed(job, event.at, event.error, true, {});
    }
    case 'reopen': {
      if (!isReopenable(job)) return { refused: finished ? 'finished' : 'not-failed' };
      return changed(job, event.at, {
        status: 'queued',
        attemptsMade: 0,
        deadLettered: false,
        checkpoint: undefined,
        messageDueAt: event.at,
        messageSentAt: event.at,
        ...(job.members === undefined ? {} : { members: { ...job.members, failed: 0, dead: 0 } }),
      });
    }
    case 'resend': {
      if (finished) return { refused: 'finished' };
      if (isHeld(job, event.at)) return { refused: 'held' };
      return changed(job, event.at, { messageDueAt: event.messageDueAt, messageSentAt: event.at });
    }
  }
}

/** True while an attempt holds the job. */
export function isHeld(job: Pick<Job, 'status' | 'lease'>, at: string): boolean {
  return job.status === 'running' && job.lease !== undefined && Date.parse(job.lease.expiresAt) > Date.parse(at);
}

/** A failed job, or a date job some of whose members failed, may run again. */
export function isReopenable(job: Pick<Job, 'status' | 'members'>): boolean {
  return job.status === 'failed' || (job.status === 'succeeded' && (job.members?.failed ?? 0) > 0);
}

/** The error a job carries after an attempt that ended without an outcome. */
export function abandonedAttemptError(attempt: number): JobError {
  return {
    code: 'attempt_abandoned',
    message: `attempt ${attempt} ended without an outcome: the worker timed out or crashed`,
  };
}

/** Members of a date job that have not succeeded: the ones its next attempt fetches for. */
export function pendingMembers(job: Pick<Job, 'members'>): number {
  return job.members === undefined ? 0 : job.members.count - job.members.succeeded;
}

/** What a job adds to its run's counters and summaries (a date job: its members). */
export interface JobTally {
  readonly succeeded: number;
  readonly failed: number;
  readonly dead: number;
  /** Jobs waiting for a request slot. */
  readonly waitingForRateLimit: number;
  readonly deferrals: number;
  readonly rowsWritten: number;
  /** Jobs failed because their run passed its deadline. */
  readonly timedOut: number;
}

export const noTally: JobTally = {
  succeeded: 0,
  failed: 0,
  dead: 0,
  waitingForRateLimit: 0,
  deferrals: 0,
  rowsWritten: 0,
  timedOut: 0,
};

/** The fields of a job its tally reads (a stored job read with a projection of them is enough). */
export type TalliedJob = Pick<
  Job,
  'status' | 'deadLettered' | 'waitingFor' | 'deferrals' | 'rowsWritten' | 'members'
> & {
  readonly lastError?: Pick<JobError, 'code'> | undefined;
};

/** The job's share of its run's counters. */
export function tallyOf(job: TalliedJob): JobTally {
  const timedOut = job.status === 'failed' && job.lastError?.code === 'run_timed_out';
  if (job.members !== undefined) {
    const { count, succeeded, failed, dead } = job.members;
    return {
      succeeded,
      failed,
      dead,
      waitingForRateLimit: job.waitingFor === 'rate-limit' ? count - succeeded : 0,
      deferrals: job.deferrals,
      rowsWritten: job.rowsWritten ?? 0,
      timedOut: timedOut ? failed : 0,
    };
  }
  return {
    succeeded: job.status === 'succeeded' ? 1 : 0,
    failed: job.status === 'failed' ? 1 : 0,
    dead: job.status === 'failed' && job.deadLettered ? 1 : 0,
    waitingForRateLimit: job.waitingFor === 'rate-limit' ? 1 : 0,
    deferrals: job.deferrals,
    rowsWritten: job.status === 'succeeded' ? (job.rowsWritten ?? 0) : 0,
    timedOut: timedOut ? 1 : 0,
  };
}

/** `a + sign × b`, field by field. */
export function addTallies(a: JobTally, b: JobTally, sign: 1 | -1 = 1): JobTally {
  return Object.fromEntries(
    Object.entries(a).map(([key, value]) => [key, value + sign * b[key as keyof JobTally]]),
  ) as unknown as JobTally;
}

/** How a change of one job moves its run's counters. */
export function tallyChange(before: TalliedJob, after: TalliedJob): JobTally {
  return addTallies(tallyOf(after), tallyOf(before), -1);
}

/** True when a tally changes nothing. */
export function isNoTally(tally: JobTally): boolean {
  return Object.values(tally).every((value) => value === 0);
}

/** True when a change finishes or reopens jobs: only then may it change whether the run is done. */
export function finishesJobs(tally: JobTally): boolean {
  return tally.succeeded !== 0 || tally.failed !== 0;
}

function changed(job: Job, at: string, changes: Changes<Job>): JobDecision {
  return { job: changedRecord(job, at, changes) };
}

/** A failed job: a date job's members that had not succeeded fail with it. */
function failed(
  job: Job,
  at: string,
  error: JobError,
  deadLettered: boolean,
  extra: { durationMs?: number; upstreamRequests?: number },
): JobDecision {
  const members =
    job.members === undefined
      ? undefined
      : { ...job.members, failed: pendingMembers(job), dead: deadLettered ? pendingMembers(job) : 0 };
  return changed(job, at, {
    ...cleared(pendingFields),
    status: 'failed',
    deadLettered,
    lastError: error,
    ...(members === undefined ? {} : { members }),
    ...extra,
  });
}

function cleared(fields: readonly (keyof Job)[]): Changes<Job> {
  return Object.fromEntries(fields.map((field) => [field, undefined]));
}

/** An attempt's event applies only while that attempt still holds the running job. */
function refusalOfHolder(job: Job, holder: string): JobRefusal | undefined {
  if (finishedJobStatuses.has(job.status)) return 'finished';
  if (job.status !== 'running' || job.lease?.holder !== holder) return 'not-holder';
  return undefined;
}
