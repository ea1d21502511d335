import type { JobGroup } from '#shared/domain/job-group.ts';
import type { JobGroupListing } from '#shared/domain/stored-job-groups.ts';

/**
 * JobGroupStore: where job group definitions live.
 *
 * Guarantees:
 * - `create` never overwrites: an existing id fails with `AlreadyExistsError`.
 * - `update` and `delete` are optimistic: they succeed only while the stored `version` equals `expectedVersion`,
 *   otherwise `VersionConflictError` (or `NotFoundError` when the group is gone). `update` stores the group as given;
 *   the caller sets `version` to `expectedVersion + 1`.
 * - `list` returns every stored group, ordered by id: those that parse under `groups`, and those that do not under
 *   `unreadable` with what failed, so one bad item never hides the others. `get` of an unreadable group throws.
 */
export interface JobGroupStore {
  /** Stores a new group. */
  create(group: JobGroup): Promise<void>;
  /** The group, or undefined. */
  get(id: string): Promise<JobGroup | undefined>;
  /** Every group, ordered by id, the unreadable ones apart. */
  list(): Promise<JobGroupListing>;
  /** Replaces the group if it is still at `expectedVersion`. */
  update(group: JobGroup, expectedVersion: number): Promise<void>;
  /** Deletes the group; with `expectedVersion`, only if it is still at that version. */
  delete(id: string, expectedVersion?: number): Promise<void>;
}

export type { JobGroupListing, UnreadableJobGroup } from '#shared/domain/stored-job-groups.ts';
