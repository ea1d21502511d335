import type { FieldIssue } from '#shared/domain/errors.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { dynamoDbItemLimitBytes, storedItemBytes } from '#shared/domain/stored-size.ts';

/**
 * The most a job group may take as a stored item, in bytes. Below DynamoDB's 400 KB item limit with a margin,
 * because writes that skip validation (pause, resume) add a few fields to a group that was stored at this size.
 */
export const maxJobGroupItemBytes = 350 * 1024;

/** Built on first use: the first Intl formatter of a process costs a cold start milliseconds (12 ms measured). */
let bytesFormat: Intl.NumberFormat | undefined;
const bytes = {
  format(value: number): string {
    bytesFormat ??= new Intl.NumberFormat('en-US');
    return bytesFormat.format(value);
  },
};

/**
 * The issue of a group too large to store, or undefined. Only the parameters template is unbounded (every other
 * field has a maximum length), so the issue is reported on it.
 */
export function jobGroupSizeIssue(group: JobGroup): FieldIssue | undefined {
  const size = storedItemBytes(group);
  if (size <= maxJobGroupItemBytes) return undefined;
  return {
    path: 'parametersTemplate',
    message:
      `makes the group ${bytes.format(size)} bytes once stored, over the limit of ` +
      `${bytes.format(maxJobGroupItemBytes)} bytes (DynamoDB stores at most ${bytes.format(dynamoDbItemLimitBytes)} ` +
      'bytes per item); shrink it, e.g. fan out over {"$listedCodes": {}} instead of listing every code',
  };
}
