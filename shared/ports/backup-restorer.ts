import type { DataSourceSettings } from '#shared/domain/data-source-settings.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';

/** One write of a restore: the new state, and the version it replaces (undefined: it must not exist yet). */
export interface RestoreWrite<Item> {
  readonly item: Item;
  readonly expectedVersion: number | undefined;
}

/** The most writes one restore can apply atomically (DynamoDB transactions take 100 items). */
export const maxRestoreWrites = 100;

/**
 * BackupRestorer: applies an import of groups and data-source settings.
 *
 * Guarantees: all writes apply, or none does. A write whose expected version no longer holds fails the whole
 * restore with `VersionConflictError`; at most `maxRestoreWrites` writes per call.
 */
export interface BackupRestorer {
  restore(writes: {
    readonly groups: readonly RestoreWrite<JobGroup>[];
    readonly dataSources: readonly RestoreWrite<DataSourceSettings>[];
  }): Promise<void>;
}
