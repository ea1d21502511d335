import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { naturalKeyOf, rowLayoutOf } from '#shared/datasets/row-layout.ts';
import type { RejectedRow } from '#shared/ports/data-source.ts';

/** Longest reason given for a rejected row. */
export const maxRejectionReasonChars = 300;

/** Issues of a row schema quoted in a reason; the first few say enough. */
const quotedIssues = 3;

/** Stands in for the worker's stamps while a row is checked against its dataset's schema. */
const checkMetadata = { fetchedAt: '2000-01-01T00:00:00.000Z', runId: 'row-check' };

/** One page's rows, checked. */
export interface CheckedRows {
  /** Rows that are valid rows of the dataset, one per natural key. */
  readonly rows: Record<string, unknown>[];
  readonly rejected: RejectedRow[];
}

/**
 * Checks a page's normalised rows against the dataset's row schema: a valid row is kept, one per natural key (the
 * later wins: pages are not consistent when data changes mid-answer), and a row that breaks the schema is rejected
 * with the series it belongs to, so that it fails only the job that asked for that series.
 */
export function checkPageRows(dataset: DatasetDefinition, rows: readonly Record<string, unknown>[]): CheckedRows {
  const byKey = new Map<string, Record<string, unknown>>();
  const rejected: RejectedRow[] = [];
  for (const row of rows) {
    const checked = dataset.rowSchema.safeParse({ ...row, ...checkMetadata });
    if (checked.success) {
      byKey.set(naturalKeyOf(dataset, row), row);
      continue;
    }
    const problems = checked.error.issues
      .slice(0, quotedIssues)
      .map((issue) => `${issue.path.join('.') || '(row)'}: ${issue.message}`);
    rejected.push(rejectionOf(dataset, row, problems));
  }
  return { rows: [...byKey.values()], rejected };
}

/**
 * A rejected row: its series read from `fields` (normalised row fields) under the name the dataset's row layout gives
 * it, when it is a string there, and its problems joined into a reason of at most 300 characters.
 */
export function rejectionOf(
  dataset: DatasetDefinition,
  fields: Readonly<Record<string, unknown>>,
  problems: readonly string[],
): RejectedRow {
  const { seriesField } = rowLayoutOf(dataset);
  const series = seriesField === undefined ? undefined : fields[seriesField];
  const reason = truncate(problems.join('; ') || 'breaks the row schema');
  return typeof series === 'string' && series !== '' ? { series, reason } : { reason };
}

function truncate(text: string): string {
  return text.length > maxRejectionReasonChars ? `${text.slice(0, maxRejectionReasonChars - 1)}…` : text;
}
