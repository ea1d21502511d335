import { beforeEach, describe, expect, it } from 'vitest';
import type { DataSourceSettings } from '#shared/domain/data-source-settings.ts';
import { VersionConflictError } from '#shared/domain/errors.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';

const standard: DataSourceSettings = {
  id: 'jquants',
  plan: 'standard',
  updatedAt: '2026-11-27T00:00:00.000Z',
  version: 1,
};

/** The behaviour every DataSourceSettingsStore must have. */
export function describeDataSourceSettingsStoreContract(
  name: string,
  createStore: () => Promise<DataSourceSettingsStore>,
): void {
  describe(`DataSourceSettingsStore contract: ${name}`, () => {
    let store: DataSourceSettingsStore;
    beforeEach(async () => {
      store = await createStore();
    });

    it('returns undefined for a data source never configured', async () => {
      expect(await store.get('yahoo')).toBeUndefined();
    });

    it('stores settings from version 0 and reads them back', async () => {
      await store.put(standard, 0);
      expect(await store.get('jquants')).toEqual(standard);
    });

    it('replaces settings only from the stored version', async () => {
      await store.put(standard, 0);
      const override: DataSourceSettings = { ...standard, rateLimit: { limit: 100, per: 'minute' }, version: 2 };
      await expect(store.put({ ...override, version: 1 }, 0)).rejects.toBeInstanceOf(VersionConflictError);
      await store.put(override, 1);
      expect(await store.get('jquants')).toEqual(override);
      await expect(store.put({ ...override, version: 3 }, 1)).rejects.toBeInstanceOf(VersionConflictError);
    });

    it('records health apart from the settings and their version', async () => {
      await store.put(standard, 0);
      expect(await store.getHealth('jquants')).toBeUndefined();
      const failing = {
        status: 'failing' as const,
        reason: 'The incoming api key is invalid or expired.',
        checkedAt: '2026-11-27T08:00:00.000Z',
      };
      await store.recordHealth('jquants', failing);
      expect(await store.getHealth('jquants')).toEqual(failing);
      expect(await store.get('jquants')).toEqual(standard);
    });
  });
}
