import { type FetchCheckpoint, finishedJobStatuses, type Job, type JobError } from '#shared/domain/run.ts';

/**
 * The job state machine (design §1): `queued → running → succeeded`, or `running → retrying → running …` until
 * `failed` (dead-lettered or not). Every change of a job is one event decided here, on the job as last read; the
 * run ledger writes the result only while the stored job is still that revision, and re-decides otherwise.
 *
 * An attempt holds its job by a lease: events of an attempt name their holder, so an attempt that lost the job (it
 * ran past its lease, and another delivery took the job over) can no longer change it.
 */

/** One event in a job's life. Instants are ISO strings. */
export type JobEvent =
  /** A delivery of the job's message starts an attempt, holding the job until `leaseExpiresAt`. */
  | { readonly kind: 'start'; readonly at: string; readonly holder: string; readonly leaseExpiresAt: string }
  /** The attempt stored a page of a paginated answer; the fetch goes on from `checkpoint` if interrupted. */
  | { readonly kind: 'checkpoint'; readonly at: string; readonly holder: string; readonly checkpoint: FetchCheckpoint }
  /**
   * The attempt found no request slot soon enough (or a 429 paused the data source): it gives its attempt back and
   * the job waits for its message, due at `messageDueAt`. `progressed` when the attempt stored a page first.
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
  | {
      readonly kind: 'succeed';
      readonly at: string;
      readonly holder: string;
      readonly durationMs: number;
      readonly rowsWritten: number;
      readonly rowsKept: number;
      readonly upstreamRequests: number;
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
  /** The job queue moved the job's message to its dead-letter queue (receive limit) behind the ledger's back. */
  | { readonly kind: 'dead-lettered-by-queue'; readonly at: string; readonly error: JobError }
  /** A redrive or a run retry lets a failed job run again; its message is sent right after. */
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
  /** Only a failed job can be reopened. */
  | 'not-failed';

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
      return changed(job, event.at, {
        ...cleared(pendingFields),
        status: 'succeeded',
        durationMs: event.durationMs,
        rowsWritten: event.rowsWritten,
        rowsKept: event.rowsKept,
        upstreamRequests: event.upstreamRequests,
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
      return failed(job, event.at, event.error, true, {});
    }
    case 'reopen': {
      if (job.status !== 'failed') return { refused: finished ? 'finished' : 'not-failed' };
      return changed(job, event.at, {
        status: 'queued',
        attemptsMade: 0,
        deadLettered: false,
        checkpoint: undefined,
        messageDueAt: event.at,
      });
    }
    case 'resend': {
      if (finished) return { refused: 'finished' };
      if (isHeld(job, event.at)) return { refused: 'held' };
      return changed(job, event.at, { messageDueAt: event.messageDueAt });
    }
  }
}

/** True while an attempt holds the job. */
export function isHeld(job: Pick<Job, 'status' | 'lease'>, at: string): boolean {
  return job.status === 'running' && job.lease !== undefined && Date.parse(job.lease.expiresAt) > Date.parse(at);
}

/** The error a job carries after an attempt that ended without an outcome. */
export function abandonedAttemptError(attempt: number): JobError {
  return {
    code: 'attempt_abandoned',
    message: `attempt ${attempt} ended without an outcome: the worker timed out or crashed`,
  };
}

/** What a job adds to its run's counters and summaries. */
export interface JobTally {
  readonly succeeded: number;
  readonly failed: number;
  readonly dead: number;
  /** 1 while the job waits for a request slot. */
  readonly waitingForRateLimit: number;
  readonly deferrals: number;
}

export const noTally: JobTally = { succeeded: 0, failed: 0, dead: 0, waitingForRateLimit: 0, deferrals: 0 };

/** The job's share of its run's counters. */
export function tallyOf(job: Job): JobTally {
  return {
    succeeded: job.status === 'succeeded' ? 1 : 0,
    failed: job.status === 'failed' ? 1 : 0,
    dead: job.status === 'failed' && job.deadLettered ? 1 : 0,
    waitingForRateLimit: job.waitingFor === 'rate-limit' ? 1 : 0,
    deferrals: job.deferrals,
  };
}

/** `a + sign × b`, field by field. */
export function addTallies(a: JobTally, b: JobTally, sign: 1 | -1 = 1): JobTally {
  return {
    succeeded: a.succeeded + sign * b.succeeded,
    failed: a.failed + sign * b.failed,
    dead: a.dead + sign * b.dead,
    waitingForRateLimit: a.waitingForRateLimit + sign * b.waitingForRateLimit,
    deferrals: a.deferrals + sign * b.deferrals,
  };
}

/** How a change of one job moves its run's counters. */
export function tallyChange(before: Job, after: Job): JobTally {
  return addTallies(tallyOf(after), tallyOf(before), -1);
}

/** True when a tally changes nothing. */
export function isNoTally(tally: JobTally): boolean {
  return Object.values(tally).every((value) => value === 0);
}

type JobChanges = { readonly [Key in keyof Job]?: Job[Key] | undefined };

function changed(job: Job, at: string, changes: JobChanges): JobDecision {
  const next: Record<string, unknown> = { ...job, ...changes, revision: job.revision + 1, updatedAt: at };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete next[key];
  return { job: next as Job };
}

function failed(
  job: Job,
  at: string,
  error: JobError,
  deadLettered: boolean,
  extra: { durationMs?: number; upstreamRequests?: number },
): JobDecision {
  return changed(job, at, { ...cleared(pendingFields), status: 'failed', deadLettered, lastError: error, ...extra });
}

function cleared(fields: readonly (keyof Job)[]): JobChanges {
  return Object.fromEntries(fields.map((field) => [field, undefined]));
}

/** An attempt's event applies only while that attempt still holds the running job. */
function refusalOfHolder(job: Job, holder: string): JobRefusal | undefined {
  if (finishedJobStatuses.has(job.status)) return 'finished';
  if (job.status !== 'running' || job.lease?.holder !== holder) return 'not-holder';
  return undefined;
}
