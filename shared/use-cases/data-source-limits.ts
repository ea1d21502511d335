import type { DataSourceId } from '#shared/domain/data-source.ts';
import { defaultSettings, effectiveRateLimit, endpointRateLimits } from '#shared/domain/data-source-settings.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { DataSourceLimits } from '#shared/ports/rate-limiter.ts';

/** The limits in force for a data source: its settings (or plan, or default) and its endpoints' own caps. */
export function dataSourceLimitsFrom(
  settingsStore: Pick<DataSourceSettingsStore, 'get'>,
): (dataSource: DataSourceId) => Promise<DataSourceLimits> {
  return async (dataSource) => {
    const settings = (await settingsStore.get(dataSource)) ?? defaultSettings(dataSource, new Date(0).toISOString());
    return { limit: effectiveRateLimit(settings), endpointLimits: endpointRateLimits(dataSource) };
  };
}
