import type { DataSourceSettings } from '#shared/domain/data-source-settings.ts';
import { ValidationError, VersionConflictError } from '#shared/domain/errors.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { type BackupRestorer, maxRestoreWrites, type RestoreWrite } from '#shared/ports/backup-restorer.ts';
import type { InMemoryDataSourceSettingsStore } from '#test/fakes/in-memory-data-source-settings-store.ts';
import type { InMemoryJobGroupStore } from '#test/fakes/in-memory-job-group-store.ts';

/** BackupRestorer over the in-memory stores: checks every condition, then applies every write. */
export class InMemoryBackupRestorer implements BackupRestorer {
  readonly #groups: InMemoryJobGroupStore;
  readonly #settings: InMemoryDataSourceSettingsStore;

  constructor(groups: InMemoryJobGroupStore, settings: InMemoryDataSourceSettingsStore) {
    this.#groups = groups;
    this.#settings = settings;
  }

  async restore(writes: {
    groups: readonly RestoreWrite<JobGroup>[];
    dataSources: readonly RestoreWrite<DataSourceSettings>[];
  }): Promise<void> {
    if (writes.groups.length + writes.dataSources.length > maxRestoreWrites) {
      throw ValidationError.of('(body)', `an import applies at most ${maxRestoreWrites} items at once`);
    }
    for (const { item, expectedVersion } of writes.groups) {
      if ((await this.#groups.get(item.id))?.version !== expectedVersion) {
        throw new VersionConflictError('job group', item.id, expectedVersion ?? 0);
      }
    }
    for (const { item, expectedVersion } of writes.dataSources) {
      if (((await this.#settings.get(item.id))?.version ?? undefined) !== expectedVersion) {
        throw new VersionConflictError('data source settings', item.id, expectedVersion ?? 0);
      }
    }
    for (const { item, expectedVersion } of writes.groups) {
      if (expectedVersion === undefined) await this.#groups.create(item);
      else await this.#groups.update(item, expectedVersion);
    }
    for (const { item, expectedVersion } of writes.dataSources) await this.#settings.put(item, expectedVersion ?? 0);
  }
}
