import type { DataSourceId } from '#shared/domain/data-source.ts';
import type { DataSourceHealth, DataSourceSettings } from '#shared/domain/data-source-settings.ts';
import { VersionConflictError } from '#shared/domain/errors.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';

/** DataSourceSettingsStore in memory. */
export class InMemoryDataSourceSettingsStore implements DataSourceSettingsStore {
  readonly #settings = new Map<DataSourceId, DataSourceSettings>();
  readonly #health = new Map<DataSourceId, DataSourceHealth>();

  async get(id: DataSourceId): Promise<DataSourceSettings | undefined> {
    const settings = this.#settings.get(id);
    return settings === undefined ? undefined : structuredClone(settings);
  }

  async put(settings: DataSourceSettings, expectedVersion: number): Promise<void> {
    if ((this.#settings.get(settings.id)?.version ?? 0) !== expectedVersion) {
      throw new VersionConflictError('data source settings', settings.id, expectedVersion);
    }
    this.#settings.set(settings.id, structuredClone(settings));
  }

  async getHealth(id: DataSourceId): Promise<DataSourceHealth | undefined> {
    const health = this.#health.get(id);
    return health === undefined ? undefined : { ...health };
  }

  async recordHealth(id: DataSourceId, health: DataSourceHealth): Promise<void> {
    this.#health.set(id, { ...health });
  }
}
