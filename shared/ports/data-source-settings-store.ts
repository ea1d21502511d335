import type { DataSourceId } from '#shared/domain/data-source.ts';
import type { DataSourceHealth, DataSourceSettings } from '#shared/domain/data-source-settings.ts';

/**
 * DataSourceSettingsStore: operator settings per data source.
 *
 * Guarantees:
 * - `get` returns undefined for a data source never configured (the caller applies the defaults).
 * - `put` is optimistic: it succeeds only while the stored version equals `expectedVersion` (0 = never stored),
 *   otherwise `VersionConflictError`. The caller sets `version` to `expectedVersion + 1`.
 * - Health is kept apart from the settings: workers record it without touching the operator's version.
 */
export interface DataSourceSettingsStore {
  get(id: DataSourceId): Promise<DataSourceSettings | undefined>;
  put(settings: DataSourceSettings, expectedVersion: number): Promise<void>;
  getHealth(id: DataSourceId): Promise<DataSourceHealth | undefined>;
  recordHealth(id: DataSourceId, health: DataSourceHealth): Promise<void>;
}
