import type { BackfillMode } from '#shared/domain/backfill.ts';
import { minimumJobsPerDateWideRequest } from '#shared/domain/request-planning.ts';

/**
 * Request planning across a backfill's range (design §4): N codes over D business dates are fetched with the fewer
 * of D date-wide requests (every code of a date at once) and N per-code range requests (every date of a code at
 * once), pages aside. 40 codes over 10 years take 40 requests, not 2,450; the whole market over 10 years takes 2,450,
 * not 4,400.
 */

/** What one date of the backfill asks for, from its group's template. */
export interface DateShape {
  /** Jobs one date's run holds. */
  readonly jobs: number;
  /**
   * The codes of a date whose every job is `{code, date}`, the same codes every date; undefined for any other
   * template (those dates run job by job).
   */
  readonly codes: number | undefined;
}

/** What the dataset can answer. */
export interface DatasetReach {
  /** Answers every code for a bare `date`. */
  readonly dateWide: boolean;
  /** Answers one code over `from`…`to`. */
  readonly codeRanges: boolean;
}

/** How a backfill of `dates` business dates reaches the upstream, and the requests that takes (pages aside). */
export function planBackfillRequests(
  dates: number,
  shape: DateShape,
  dataset: DatasetReach,
): { mode: BackfillMode; requests: number } {
  const perDate =
    dataset.dateWide && shape.codes !== undefined && shape.codes >= minimumJobsPerDateWideRequest ? 1 : shape.jobs;
  const byDates = dates * perDate;
  const byRanges = dataset.codeRanges && shape.codes !== undefined ? shape.codes : Number.POSITIVE_INFINITY;
  return byRanges < byDates ? { mode: 'ranges', requests: byRanges } : { mode: 'dates', requests: byDates };
}
