import { type JobGroup, JobGroupSchema } from '#shared/domain/job-group.ts';
import type * as z from '#shared/zod.ts';

/** A stored group that does not parse as a job group (edited by hand, or written under another schema). */
export interface UnreadableJobGroup {
  readonly id: string;
  /** What failed to parse: the first bad field and its problem, e.g. `schedule: Invalid input: expected string…`. */
  readonly error: string;
}

/** Every stored group: the readable ones, and apart from them those that do not parse. Both ordered by id. */
export interface JobGroupListing {
  readonly groups: JobGroup[];
  readonly unreadable: UnreadableJobGroup[];
}

/**
 * Parses stored group items one by one, so that one bad item is reported on its own instead of failing every
 * reader of the whole table (the admin API's list, the reconciler, the watchdog).
 */
export function readStoredGroups(items: Iterable<Readonly<Record<string, unknown>>>): JobGroupListing {
  const groups: JobGroup[] = [];
  const unreadable: UnreadableJobGroup[] = [];
  for (const item of items) {
    const parsed = JobGroupSchema.safeParse(item);
    if (parsed.success) groups.push(parsed.data);
    else unreadable.push({ id: typeof item.id === 'string' ? item.id : '(no id)', error: describe(parsed.error) });
  }
  const byId = (a: { id: string }, b: { id: string }): number => a.id.localeCompare(b.id);
  return { groups: groups.sort(byId), unreadable: unreadable.sort(byId) };
}

function describe(error: z.core.$ZodError): string {
  const [first, ...rest] = error.issues;
  if (first === undefined) return 'does not parse as a job group';
  const path = first.path.map((segment) => String(segment)).join('.');
  const head = `${path === '' ? '(item)' : path}: ${first.message}`;
  return rest.length === 0 ? head : `${head} (and ${rest.length} more)`;
}
