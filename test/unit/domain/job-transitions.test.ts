import { describe, expect, it } from 'vitest';
import {
  decideJob,
  isReopenable,
  type JobDecision,
  type JobEvent,
  noTally,
  pendingMembers,
  tallyChange,
  tallyOf,
} from '#shared/domain/job-transitions.ts';
import type { Job } from '#shared/domain/run.ts';
import { aJob } from '#test/fixtures/builders.ts';

const at = '2026-11-27T08:31:00.000Z';
const leaseEnd = '2026-11-27T08:31:30.000Z';
const afterLease = '2026-11-27T08:40:00.000Z';
const error = { code: 'upstream_unavailable', message: 'HTTP 503' };

const start = (holder = 'h', when = at): JobEvent => ({ kind: 'start', at: when, holder, leaseExpiresAt: leaseEnd });
const running = (overrides: Partial<Job> = {}): Job =>
  aJob({ status: 'running', attemptsMade: 1, lease: { holder: 'h', expiresAt: leaseEnd }, revision: 1, ...overrides });

function jobOf(decision: JobDecision): Job {
  if ('refused' in decision) throw new Error(`refused: ${decision.refused}`);
  return decision.job;
}

describe('job transitions', () => {
  it('starts a queued job: one more attempt, held by the attempt, waiting no more, one revision on', () => {
    const job = jobOf(decideJob(aJob({ waitingFor: 'rate-limit', waitingSince: at }), start()));
    expect(job).toMatchObject({ status: 'running', attemptsMade: 1, lease: { holder: 'h' }, revision: 1 });
    expect(job.waitingFor).toBeUndefined();
    expect(job.waitingSince).toBe(at);
  });

  it('leaves a job held by a live attempt alone, and takes over one whose lease lapsed', () => {
    expect(decideJob(running(), start('other'))).toEqual({ refused: 'held' });
    const taken = jobOf(decideJob(running(), start('other', afterLease)));
    expect(taken).toMatchObject({
      attemptsMade: 2,
      lease: { holder: 'other' },
      lastError: { code: 'attempt_abandoned' },
    });
  });

  it('refuses to start a job with no attempt left, and every event on a finished job', () => {
    expect(decideJob(running({ attemptsMade: 5 }), start('other', afterLease))).toEqual({ refused: 'exhausted' });
    const done = aJob({ status: 'succeeded' });
    for (const event of [
      start(),
      { kind: 'time-out', at, deadlineAt: at } as const,
      { kind: 'resend', at, messageDueAt: at } as const,
    ]) {
      expect(decideJob(done, event)).toEqual({ refused: 'finished' });
    }
  });

  it('takes an attempt event only from the attempt that holds the job', () => {
    const succeed = {
      kind: 'succeed',
      at,
      holder: 'stale',
      durationMs: 1,
      rowsWritten: 1,
      rowsKept: 0,
      upstreamRequests: 1,
    } as const;
    expect(decideJob(running(), succeed)).toEqual({ refused: 'not-holder' });
    expect(decideJob(aJob(), { ...succeed, holder: 'h' })).toEqual({ refused: 'not-holder' });
  });

  it('defers a running job: its attempt back, waiting for the rate limit since the streak began, its message due', () => {
    const first = jobOf(
      decideJob(running(), { kind: 'defer', at, holder: 'h', messageDueAt: leaseEnd, progressed: false }),
    );
    expect(first).toMatchObject({
      status: 'queued',
      attemptsMade: 0,
      waitingFor: 'rate-limit',
      waitingSince: at,
      deferrals: 1,
      messageDueAt: leaseEnd,
    });
    expect(first.lease).toBeUndefined();
    const again = jobOf(
      decideJob(jobOf(decideJob(first, start('h', afterLease))), {
        kind: 'defer',
        at: afterLease,
        holder: 'h',
        messageDueAt: afterLease,
        progressed: false,
      }),
    );
    expect(again).toMatchObject({ waitingSince: at, deferrals: 2 });
    const progressed = jobOf(
      decideJob(jobOf(decideJob(first, start('h', afterLease))), {
        kind: 'defer',
        at: afterLease,
        holder: 'h',
        messageDueAt: afterLease,
        progressed: true,
      }),
    );
    expect(progressed.waitingSince).toBe(afterLease);
  });

  it('retries a running job with its error and finishes it with its outcome, clearing what only mattered meanwhile', () => {
    const checkpoint = { next: 'p2', pages: 1, rows: {}, dates: [] };
    const retrying = jobOf(
      decideJob(running({ checkpoint }), { kind: 'retry', at, holder: 'h', error, messageDueAt: leaseEnd }),
    );
    expect(retrying).toMatchObject({ status: 'retrying', lastError: error, checkpoint, messageDueAt: leaseEnd });
    const succeeded = jobOf(
      decideJob(running({ checkpoint }), {
        kind: 'succeed',
        at,
        holder: 'h',
        durationMs: 9,
        rowsWritten: 3,
        rowsKept: 1,
        upstreamRequests: 2,
      }),
    );
    expect(succeeded).toMatchObject({ status: 'succeeded', rowsWritten: 3, rowsKept: 1, upstreamRequests: 2 });
    for (const cleared of ['lease', 'checkpoint', 'messageDueAt', 'waitingFor'] as const) {
      expect(succeeded[cleared]).toBeUndefined();
    }
  });

  it('fails any unfinished job for good when no attempt holds it, and times it out', () => {
    const failed = jobOf(decideJob(aJob({ status: 'retrying' }), { kind: 'fail', at, error, deadLettered: true }));
    expect(failed).toMatchObject({ status: 'failed', deadLettered: true, lastError: error });
    const timedOut = jobOf(decideJob(running(), { kind: 'time-out', at, deadlineAt: at }));
    expect(timedOut).toMatchObject({ status: 'failed', deadLettered: false, lastError: { code: 'run_timed_out' } });
  });

  it('fails a job whose message the queue dead-lettered, unless an attempt holds it or a newer message was sent', () => {
    const sentAt = '2026-11-27T08:00:00.000Z';
    const event = { kind: 'dead-lettered-by-queue', at, error, sentAt } as const;
    const queued = aJob({ messageSentAt: sentAt });
    expect(jobOf(decideJob(queued, event))).toMatchObject({ status: 'failed', deadLettered: true, lastError: error });
    expect(decideJob(running({ messageSentAt: sentAt }), event)).toEqual({ refused: 'held' });
    const resent = aJob({ messageSentAt: '2026-11-27T08:20:00.000Z' });
    expect(decideJob(resent, event)).toEqual({ refused: 'stale' });
  });

  it('records when each message of the job was sent: dispatched, deferred, reopened, resent', () => {
    const deferred = jobOf(
      decideJob(running(), { kind: 'defer', at, holder: 'h', messageDueAt: leaseEnd, progressed: false }),
    );
    expect(deferred.messageSentAt).toBe(at);
    const failed = aJob({ status: 'failed', lastError: error });
    expect(jobOf(decideJob(failed, { kind: 'reopen', at })).messageSentAt).toBe(at);
    expect(jobOf(decideJob(aJob(), { kind: 'resend', at: afterLease, messageDueAt: afterLease })).messageSentAt).toBe(
      afterLease,
    );
  });

  it('reopens only a failed job, with fresh attempts and its message due now', () => {
    const failed = aJob({ status: 'failed', attemptsMade: 5, deadLettered: true, lastError: error });
    expect(jobOf(decideJob(failed, { kind: 'reopen', at }))).toMatchObject({
      status: 'queued',
      attemptsMade: 0,
      deadLettered: false,
      lastError: error,
      messageDueAt: at,
    });
    expect(decideJob(aJob(), { kind: 'reopen', at })).toEqual({ refused: 'not-failed' });
    expect(decideJob(aJob({ status: 'succeeded' }), { kind: 'reopen', at })).toEqual({ refused: 'finished' });
  });

  it('moves the run counters by what a change does to the job', () => {
    const failed = aJob({ status: 'failed', deadLettered: true });
    expect(tallyChange(failed, jobOf(decideJob(failed, { kind: 'reopen', at })))).toEqual({
      ...noTally,
      failed: -1,
      dead: -1,
    });
    const deferred = jobOf(
      decideJob(running(), { kind: 'defer', at, holder: 'h', messageDueAt: at, progressed: false }),
    );
    expect(tallyChange(running(), deferred)).toEqual({ ...noTally, waitingForRateLimit: 1, deferrals: 1 });
  });

  it('counts what a job wrote once it has succeeded, and a timed-out job as such', () => {
    expect(tallyOf(aJob({ status: 'succeeded', rowsWritten: 4 }))).toMatchObject({ succeeded: 1, rowsWritten: 4 });
    const timedOut = jobOf(decideJob(running(), { kind: 'time-out', at, deadlineAt: at }));
    expect(tallyOf(timedOut)).toMatchObject({ failed: 1, dead: 0, timedOut: 1 });
  });
});

describe('date jobs', () => {
  const members = (count: number, succeeded = 0, failed = 0) => ({ count, succeeded, failed, dead: failed });
  const dateJob = (overrides: Partial<Job> = {}): Job =>
    running({ jobId: '@date-2026-11-27', params: { date: '2026-11-27' }, members: members(3), ...overrides });
  const succeed = (outcome?: { succeeded: number; failed: number }): JobEvent => ({
    kind: 'succeed',
    at,
    holder: 'h',
    durationMs: 9,
    rowsWritten: 5,
    rowsKept: 0,
    upstreamRequests: 1,
    ...(outcome === undefined ? {} : { members: outcome, error }),
  });

  it('counts each member in the run: every member succeeds with the date job', () => {
    const done = jobOf(decideJob(dateJob(), succeed()));
    expect(done).toMatchObject({ status: 'succeeded', members: members(3, 3), rowsWritten: 5 });
    expect(tallyOf(done)).toMatchObject({ succeeded: 3, failed: 0, rowsWritten: 5 });
  });

  it('keeps the members that failed apart, dead-lettered with the date, and reopens only them', () => {
    const partly = jobOf(decideJob(dateJob(), succeed({ succeeded: 2, failed: 1 })));
    expect(partly).toMatchObject({ status: 'succeeded', members: members(3, 2, 1), lastError: error });
    expect(tallyOf(partly)).toMatchObject({ succeeded: 2, failed: 1, dead: 1 });
    expect(isReopenable(partly)).toBe(true);
    const reopened = jobOf(decideJob(partly, { kind: 'reopen', at: afterLease }));
    expect(reopened).toMatchObject({ status: 'queued', members: members(3, 2, 0), attemptsMade: 0 });
    expect(pendingMembers(reopened)).toBe(1);
    // The next attempt fetches for the one member left, and says how they all stand.
    const restarted = jobOf(decideJob(reopened, start('h', afterLease)));
    const all = { ...succeed({ succeeded: 3, failed: 0 }), at: afterLease, rowsWritten: 6 } as JobEvent;
    expect(jobOf(decideJob(restarted, all))).toMatchObject({
      status: 'succeeded',
      members: members(3, 3),
      rowsWritten: 6,
    });
  });

  it('fails every member not yet succeeded when the date job fails', () => {
    const failed = jobOf(
      decideJob(dateJob({ members: members(3, 1) }), { kind: 'fail', at, holder: 'h', error, deadLettered: true }),
    );
    expect(failed).toMatchObject({ status: 'failed', members: members(3, 1, 2) });
    expect(tallyOf(failed)).toMatchObject({ succeeded: 1, failed: 2, dead: 2 });
    const timedOut = jobOf(decideJob(dateJob(), { kind: 'time-out', at, deadlineAt: at }));
    expect(tallyOf(timedOut)).toMatchObject({ failed: 3, dead: 0, timedOut: 3 });
  });

  it('counts every member still to fetch as waiting while the date job waits for a slot', () => {
    const deferred = jobOf(
      decideJob(dateJob({ members: members(3, 1) }), {
        kind: 'defer',
        at,
        holder: 'h',
        messageDueAt: leaseEnd,
        progressed: true,
      }),
    );
    expect(tallyOf(deferred)).toMatchObject({ waitingForRateLimit: 2, deferrals: 1 });
  });
});
