import { AlreadyExistsError, NotFoundError, VersionConflictError } from '#shared/domain/errors.ts';
import {
  type BackupRestorer,
  RestoreInterruptedError,
  type RestoreOutcome,
  type RestoreOutcomes,
  type RestoreWrites,
} from '#shared/ports/backup-restorer.ts';
import type { InMemoryDataSourceSettingsStore } from '#test/fakes/in-memory-data-source-settings-store.ts';
import type { InMemoryJobGroupStore } from '#test/fakes/in-memory-job-group-store.ts';

/**
 * BackupRestorer over the in-memory stores, one write at a time through their optimistic writes. A test that makes a
 * store throw sees the restore interrupted there, as a failing DynamoDB put would.
 */
export class InMemoryBackupRestorer implements BackupRestorer {
  readonly #groups: InMemoryJobGroupStore;
  readonly #settings: InMemoryDataSourceSettingsStore;

  constructor(groups: InMemoryJobGroupStore, settings: InMemoryDataSourceSettingsStore) {
    this.#groups = groups;
    this.#settings = settings;
  }

  async restore(writes: RestoreWrites): Promise<RestoreOutcomes> {
    const groups: RestoreOutcome[] = [];
    const dataSources: RestoreOutcome[] = [];
    const apply = async (
      outcomes: RestoreOutcome[],
      failed: RestoreInterruptedError['failed'],
      write: () => Promise<void>,
    ): Promise<void> => {
      try {
        await write();
        outcomes.push('applied');
      } catch (error) {
        // The stores' refusals of a condition: an id taken, a version moved on, a group deleted meanwhile.
        const isConflict =
          error instanceof AlreadyExistsError ||
          error instanceof VersionConflictError ||
          error instanceof NotFoundError;
        if (!isConflict) throw new RestoreInterruptedError({ groups, dataSources }, failed, { cause: error });
        outcomes.push('conflict');
      }
    };
    for (const { item, expectedVersion } of writes.groups) {
      await apply(groups, { kind: 'job group', id: item.id }, () =>
        expectedVersion === undefined ? this.#groups.create(item) : this.#groups.update(item, expectedVersion),
      );
    }
    for (const { item, expectedVersion } of writes.dataSources) {
      await apply(dataSources, { kind: 'data source settings', id: item.id }, () =>
        this.#settings.put(item, expectedVersion ?? 0),
      );
    }
    return { groups, dataSources };
  }
}
