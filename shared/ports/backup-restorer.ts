import type { DataSourceSettings } from '#shared/domain/data-source-settings.ts';
import { MoomooError } from '#shared/domain/errors.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';

/** One write of a restore: the new state, and the version it replaces (undefined: it must not exist yet). */
export interface RestoreWrite<Item> {
  readonly item: Item;
  readonly expectedVersion: number | undefined;
}

/** The writes of one restore. */
export interface RestoreWrites {
  readonly groups: readonly RestoreWrite<JobGroup>[];
  readonly dataSources: readonly RestoreWrite<DataSourceSettings>[];
}

/** What became of one write: stored, or not stored because its expected version no longer held. */
export type RestoreOutcome = 'applied' | 'conflict';

/** The outcome of each write, index for index with the writes (shorter when the restore was interrupted). */
export interface RestoreOutcomes {
  readonly groups: readonly RestoreOutcome[];
  readonly dataSources: readonly RestoreOutcome[];
}

/**
 * The most writes one import request applies. It bounds the request's work (each group's template is expanded to
 * validate it, and each write is a round trip) well within the admin function's 30 s; bigger backups are imported
 * in parts (`chunkBackup`), which is safe because an import skips what is already stored.
 */
export const maxRestoreWrites = 100;

/** A restore stopped by a failure other than a conflict; the writes before it stay applied. */
export class RestoreInterruptedError extends MoomooError {
  readonly code = 'restore_interrupted';
  /** The outcomes of the writes attempted before the failing one. */
  readonly outcomes: RestoreOutcomes;
  /** The write that failed. */
  readonly failed: { readonly kind: 'job group' | 'data source settings'; readonly id: string };

  constructor(outcomes: RestoreOutcomes, failed: RestoreInterruptedError['failed'], options?: ErrorOptions) {
    super(`restoring ${failed.kind} '${failed.id}' failed; the writes before it were applied`, options);
    this.name = 'RestoreInterruptedError';
    this.outcomes = outcomes;
    this.failed = failed;
  }
}

/**
 * BackupRestorer: applies an import of groups and data-source settings.
 *
 * Guarantees:
 * - Writes apply one at a time, groups first, each list in order, so a dependency listed first is stored first.
 * - Each write holds only on its expected version; when that no longer holds, the write is skipped with outcome
 *   `conflict` and the others go on.
 * - Any other failure stops the restore with `RestoreInterruptedError`, carrying the outcomes of the writes before
 *   it; nothing after it is attempted.
 */
export interface BackupRestorer {
  restore(writes: RestoreWrites): Promise<RestoreOutcomes>;
}
