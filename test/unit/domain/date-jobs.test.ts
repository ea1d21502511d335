import { describe, expect, it } from 'vitest';
import { dateJobId, memberShards, memberView, pendingMemberList, runJobsOf } from '#shared/domain/date-jobs.ts';
import type { DateJobMember, Job } from '#shared/domain/run.ts';
import { aJob } from '#test/fixtures/builders.ts';

const at = '2026-11-27T08:30:00.000Z';
const fields = { runId: 'bars.1', maxAttempts: 5, at };
const job = (jobId: string, params: Record<string, string>) => ({ jobId, params });

describe('date jobs', () => {
  it('stores one date job per date fetched date-wide, with its members, and every other job as it is', () => {
    const expanded = [
      job('a', { code: '7203', date: '2026-11-27' }),
      job('b', { code: '130A0', date: '2026-11-27' }),
      job('c', { code: '6758', date: '2026-11-26' }),
      job('d', { code: '6758', from: '2026-11-01', to: '2026-11-27' }),
    ];
    const { jobs, members, total } = runJobsOf({ dateWide: true }, expanded, fields);
    expect(total).toBe(4);
    expect(jobs.map((stored) => stored.jobId)).toEqual([dateJobId('2026-11-27'), 'd', 'c']);
    expect(jobs[0]).toMatchObject({
      status: 'queued',
      params: { date: '2026-11-27' },
      members: { count: 2, succeeded: 0, failed: 0, dead: 0 },
    });
    // Members carry the code as rows do: a 4-character code is the common stock's.
    expect(members[dateJobId('2026-11-27')]).toEqual([
      { jobId: 'a', code: '72030', params: { code: '7203', date: '2026-11-27' } },
      { jobId: 'b', code: '130A0', params: { code: '130A0', date: '2026-11-27' } },
    ]);
    expect(runJobsOf({ dateWide: false }, expanded, fields).jobs.map((stored) => stored.jobId)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('keeps a full-market date in items of a thousand members', () => {
    const members = Array.from({ length: 4_400 }, (_, index) => member(index));
    expect(memberShards(members).map((shard) => shard.length)).toEqual([1_000, 1_000, 1_000, 1_000, 400]);
  });

  it('shows a member as its own job: its outcome once it has one, its date job state until then', () => {
    const running = aDateJob({ status: 'running', attemptsMade: 1, lease: { holder: 'h', expiresAt: at } });
    expect(memberView(running, member(0))).toMatchObject({
      jobId: 'm0',
      params: { code: 'c0', date: '2026-11-27' },
      status: 'running',
      fetchedWith: running.jobId,
    });
    expect(memberView(running, member(0)).members).toBeUndefined();
    const succeeded = { ...member(1), outcome: { status: 'succeeded' as const, rowsWritten: 1, rowsKept: 0 } };
    expect(memberView(running, succeeded)).toMatchObject({ status: 'succeeded', rowsWritten: 1 });
    expect(memberView(running, succeeded).lease).toBeUndefined();
    const error = { code: 'invalid_data', message: 'bad row' };
    const done = aDateJob({ status: 'succeeded' });
    const rejected = { ...member(2), outcome: { status: 'failed' as const, rowsWritten: 0, rowsKept: 0, error } };
    expect(memberView(done, rejected)).toMatchObject({ status: 'failed', deadLettered: true, lastError: error });
    const failed = aDateJob({ status: 'failed', lastError: { code: 'upstream_forbidden', message: '403' } });
    expect(memberView(failed, member(3))).toMatchObject({
      status: 'failed',
      lastError: { code: 'upstream_forbidden' },
    });
    expect(pendingMemberList([succeeded, rejected, member(3)]).map((pending) => pending.jobId)).toEqual(['m2', 'm3']);
  });
});

function member(index: number): DateJobMember {
  return { jobId: `m${index}`, code: `c${index}`, params: { code: `c${index}`, date: '2026-11-27' } };
}

function aDateJob(overrides: Partial<Job>): Job {
  return aJob({
    jobId: dateJobId('2026-11-27'),
    params: { date: '2026-11-27' },
    members: { count: 4, succeeded: 0, failed: 0, dead: 0 },
    ...overrides,
  });
}
