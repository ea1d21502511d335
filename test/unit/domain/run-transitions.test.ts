import { describe, expect, it } from 'vitest';
import { durationMs } from '#shared/domain/iso-duration.ts';
import { type JobTally, noTally } from '#shared/domain/job-transitions.ts';
import type { Run } from '#shared/domain/run.ts';
import { minimumRunDeadlineMs, runDeadlineMs } from '#shared/domain/run-deadline.ts';
import { decideRun, isGoing, type RunDecision, withTally } from '#shared/domain/run-transitions.ts';
import { aRun } from '#test/fixtures/builders.ts';

const at = '2026-11-27T08:31:00.000Z';
const later = '2026-11-27T09:31:00.000Z';
const deadlineAt = '2026-11-27T14:31:00.000Z';
const counted = (succeeded: number, failed: number, extra: Partial<JobTally> = {}): JobTally => ({
  ...noTally,
  succeeded,
  failed,
  dead: failed,
  ...extra,
});
/** A running run of two jobs. */
const twoJobs = (overrides: Partial<Run> = {}): Run =>
  aRun({ counters: { total: 2, succeeded: 0, failed: 0, dead: 0 }, ...overrides });

function runOf(decision: RunDecision): Run & { finished: boolean } {
  if ('refused' in decision) throw new Error(`refused: ${decision.refused}`);
  return { ...decision.run, finished: decision.finished };
}

describe('run transitions', () => {
  it('goes from dispatching to running with its deadline once its jobs are enqueued', () => {
    const run = runOf(decideRun(aRun({ status: 'dispatching' }), { kind: 'enqueued', at, deadlineAt }));
    expect(run).toMatchObject({ status: 'running', runningAt: at, deadlineAt, finished: false });
    expect(decideRun(aRun(), { kind: 'enqueued', at, deadlineAt })).toEqual({ refused: 'not-dispatching' });
  });

  it('is planned once with its total, before it is enqueued', () => {
    const dispatching = aRun({ status: 'dispatching' });
    expect(runOf(decideRun(dispatching, { kind: 'planned', at, total: 3 }))).toMatchObject({
      status: 'dispatching',
      plannedAt: at,
      counters: { total: 3 },
      revision: 1,
    });
    expect(decideRun(aRun(), { kind: 'planned', at, total: 3 })).toEqual({ refused: 'not-dispatching' });
  });

  it('finishes a running run on a recount that finds every job finished, by what they did', () => {
    expect(
      runOf(decideRun(twoJobs(), { kind: 'recount', at, counted: counted(2, 0, { rowsWritten: 7 }) })),
    ).toMatchObject({ status: 'succeeded', finishedAt: at, finished: true, rowsWritten: 7 });
    expect(runOf(decideRun(twoJobs(), { kind: 'recount', at, counted: counted(1, 1) })).status).toBe(
      'partially_failed',
    );
    expect(runOf(decideRun(twoJobs(), { kind: 'recount', at, counted: counted(0, 2) })).status).toBe('failed');
  });

  it('never writes the counts of a run still going: other writers are adding to them', () => {
    expect(decideRun(twoJobs(), { kind: 'recount', at, counted: counted(1, 0) })).toEqual({ refused: 'unchanged' });
    expect(decideRun(aRun({ status: 'dispatching' }), { kind: 'recount', at, counted: counted(1, 0) })).toEqual({
      refused: 'unchanged',
    });
  });

  it('finishes a run whose jobs the watchdog timed out as failed, timed out', () => {
    const timedOut = runOf(decideRun(twoJobs(), { kind: 'recount', at, counted: counted(1, 1, { timedOut: 1 }) }));
    expect(timedOut).toMatchObject({ status: 'failed', reason: 'timed out', finished: true });
  });

  it('repairs a finished run counters without finishing it again, and changes nothing when they agree', () => {
    const done = aRun({ status: 'succeeded', counters: { total: 2, succeeded: 1, failed: 0, dead: 0 } });
    expect(runOf(decideRun(done, { kind: 'recount', at, counted: counted(2, 0) }))).toMatchObject({
      status: 'succeeded',
      counters: { succeeded: 2 },
      finished: false,
    });
    const agreed = aRun({ status: 'succeeded', counters: { total: 2, succeeded: 2, failed: 0, dead: 0 } });
    expect(decideRun(agreed, { kind: 'recount', at, counted: counted(2, 0) })).toEqual({ refused: 'unchanged' });
  });

  it('bumps its revision with every change, the counts its jobs add included', () => {
    const run = twoJobs({ revision: 4 });
    expect(runOf(decideRun(run, { kind: 'recount', at, counted: counted(2, 0) })).revision).toBe(5);
    const added = withTally(run, counted(1, 0, { rowsWritten: 3, deferrals: 2 }), at);
    expect(added).toMatchObject({ revision: 5, rowsWritten: 3, deferrals: 2, counters: { succeeded: 1 } });
  });

  it('reopens a finished run with as long to go as it first had, from now', () => {
    const done = aRun({ status: 'partially_failed', runningAt: at, deadlineAt, finishedAt: at, reason: 'x' });
    const reopened = runOf(decideRun(done, { kind: 'reopen', at: later }));
    expect(reopened).toMatchObject({ status: 'running', runningAt: later, deadlineAt: '2026-11-27T15:31:00.000Z' });
    expect(reopened.finishedAt).toBeUndefined();
    expect(reopened.reason).toBeUndefined();
    expect(decideRun(aRun(), { kind: 'reopen', at })).toEqual({ refused: 'not-finished' });
  });

  it('counts a run as going only while within its deadline, or dispatching and not stuck', () => {
    const nowMs = Date.parse(later);
    expect(isGoing(aRun({ deadlineAt }), nowMs)).toBe(true);
    expect(isGoing(aRun({ deadlineAt: at }), nowMs)).toBe(false);
    expect(isGoing(aRun({ status: 'dispatching', updatedAt: '2026-11-27T09:25:00.000Z' }), nowMs)).toBe(true);
    expect(isGoing(aRun({ status: 'dispatching', updatedAt: at }), nowMs)).toBe(false);
    expect(isGoing(aRun({ status: 'succeeded' }), nowMs)).toBe(false);
  });
});

describe('run deadline', () => {
  it('defaults to six hours, or twice the requests time at the limit when that is longer', () => {
    expect(runDeadlineMs({ requests: 10, rateLimit: { limit: 500, per: 'minute' } })).toBe(minimumRunDeadlineMs);
    // 4,400 requests at 5 a minute take about 15 hours: the deadline is twice that.
    const long = runDeadlineMs({ requests: 4_400, rateLimit: { limit: 5, per: 'minute' } });
    expect(long).toBeGreaterThan(2 * 4_400 * 12_000);
    expect(long).toBeLessThan(2 * 4_400 * 13_000);
  });

  it('takes the group own deadline as given', () => {
    expect(runDeadlineMs({ runDeadline: 'PT30M', requests: 4_400, rateLimit: { limit: 5, per: 'minute' } })).toBe(
      30 * 60_000,
    );
  });

  it('reads ISO 8601 durations of fixed length and refuses the rest', () => {
    expect(durationMs('PT6H')).toBe(6 * 3_600_000);
    expect(durationMs('P1DT12H30M')).toBe(36.5 * 3_600_000);
    expect(durationMs('P2W')).toBe(14 * 86_400_000);
    expect(durationMs('PT1.5S')).toBe(1_500);
    for (const bad of ['P', 'PT', 'P1M', 'P1Y', 'PT0S', '6h', 'P1DT', '']) expect(durationMs(bad), bad).toBeUndefined();
  });
});
