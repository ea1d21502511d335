import type { RunJobs } from '#shared/domain/date-jobs.ts';
import { rowCodeOf } from '#shared/domain/request-planning.ts';
import type { DateJobMember, Job, JobError, RowCounts } from '#shared/domain/run.ts';

/**
 * A backfill in `ranges` mode fetches each code once over the whole range; each date's run is then recorded with its
 * jobs settled by those requests: a code whose range request succeeded succeeded on every date, with the rows it
 * wrote for that date; one whose request failed failed on every date, with its error.
 */

/** How the range request of one code ended, for one date. */
export type RangeOutcome =
  | { readonly status: 'succeeded'; readonly rows: RowCounts }
  | { readonly status: 'failed'; readonly error: JobError };

/** The outcome for a date of a finished range request. */
export function rangeOutcomeOn(request: Job, date: string): RangeOutcome {
  if (request.status === 'succeeded') return { status: 'succeeded', rows: request.rowsByDate?.[date] ?? [0, 0] };
  return {
    status: 'failed',
    error: request.lastError ?? { code: 'range_request_failed', message: `range request ${request.jobId} failed` },
  };
}

/** The outcome of a code no range request covered (its template changed since the backfill was planned). */
const uncovered = (code: string): RangeOutcome => ({
  status: 'failed',
  error: { code: 'not_covered', message: `no range request of the backfill covered code ${code}` },
});

/**
 * A date's jobs (as the dispatcher would store them) settled by the range requests' outcomes (`outcomeOf`, by the
 * code as rows carry it): finished, with their rows; a date job succeeds unless every member failed.
 */
export function settledJobs(
  planned: RunJobs,
  outcomeOf: (rowCode: string) => RangeOutcome | undefined,
  at: string,
): RunJobs {
  const members: Record<string, DateJobMember[]> = {};
  const jobs = planned.jobs.map((job) => {
    const dateMembers = planned.members[job.jobId];
    if (dateMembers === undefined) {
      const code = rowCodeOf(String(job.params.code));
      return settled(job, at, [outcomeOf(code) ?? uncovered(code)]);
    }
    const outcomes = dateMembers.map((member) => outcomeOf(member.code) ?? uncovered(member.code));
    members[job.jobId] = dateMembers.map((member, index) => ({ ...member, outcome: memberOutcome(outcomes[index]) }));
    return settled(job, at, outcomes);
  });
  return { jobs, members, total: planned.total };
}

function memberOutcome(outcome: RangeOutcome | undefined): DateJobMember['outcome'] {
  if (outcome?.status === 'succeeded')
    return { status: 'succeeded', rowsWritten: outcome.rows[0], rowsKept: outcome.rows[1] };
  return { status: 'failed', rowsWritten: 0, rowsKept: 0, ...(outcome === undefined ? {} : { error: outcome.error }) };
}

/** A job finished by the outcomes of its codes (one for a single job, its members' for a date job). */
function settled(job: Job, at: string, outcomes: readonly RangeOutcome[]): Job {
  const succeeded = outcomes.filter((outcome) => outcome.status === 'succeeded');
  const failure = outcomes.find((outcome) => outcome.status === 'failed');
  const { messageDueAt: _due, ...rest } = job;
  return {
    ...rest,
    status: succeeded.length > 0 ? 'succeeded' : 'failed',
    rowsWritten: succeeded.reduce((sum, outcome) => sum + outcome.rows[0], 0),
    rowsKept: succeeded.reduce((sum, outcome) => sum + outcome.rows[1], 0),
    upstreamRequests: 0,
    ...(failure === undefined ? {} : { lastError: failure.error }),
    ...(job.members === undefined
      ? {}
      : {
          members: {
            count: job.members.count,
            succeeded: succeeded.length,
            failed: outcomes.length - succeeded.length,
            dead: 0,
          },
        }),
    revision: job.revision + 1,
    updatedAt: at,
  };
}
