import { beforeEach, describe, expect, it } from 'vitest';
import type { DataSourceSettings } from '#shared/domain/data-source-settings.ts';
import type { BackupRestorer } from '#shared/ports/backup-restorer.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import { aJobGroup } from '#test/fixtures/builders.ts';

/** A restorer and the stores it writes to, over the same tables. */
export interface BackupRestorerSubject {
  readonly restorer: BackupRestorer;
  readonly groupStore: JobGroupStore;
  readonly settingsStore: DataSourceSettingsStore;
}

const standard: DataSourceSettings = {
  id: 'jquants',
  plan: 'standard',
  updatedAt: '2026-11-27T00:00:00.000Z',
  version: 1,
};

/** The behaviour every BackupRestorer must have. */
export function describeBackupRestorerContract(name: string, create: () => Promise<BackupRestorerSubject>): void {
  describe(`BackupRestorer contract: ${name}`, () => {
    let subject: BackupRestorerSubject;
    beforeEach(async () => {
      subject = await create();
    });

    it('creates new groups and settings and replaces stored ones at their expected version', async () => {
      const { restorer, groupStore, settingsStore } = subject;
      await groupStore.create(aJobGroup({ id: 'kept' }));
      const replaced = aJobGroup({ id: 'kept', description: 'restored', version: 2 });
      const outcomes = await restorer.restore({
        groups: [
          { item: aJobGroup({ id: 'fresh' }), expectedVersion: undefined },
          { item: replaced, expectedVersion: 1 },
        ],
        dataSources: [{ item: standard, expectedVersion: undefined }],
      });
      expect(outcomes).toEqual({ groups: ['applied', 'applied'], dataSources: ['applied'] });
      expect((await groupStore.list()).groups.map((group) => group.id)).toEqual(['fresh', 'kept']);
      expect(await groupStore.get('kept')).toEqual(replaced);
      expect(await settingsStore.get('jquants')).toEqual(standard);
    });

    it('skips each write whose expected version no longer holds as a conflict and applies the others', async () => {
      const { restorer, groupStore, settingsStore } = subject;
      const taken = aJobGroup({ id: 'taken', description: 'theirs' });
      const moved = aJobGroup({ id: 'moved', description: 'theirs', version: 3 });
      await groupStore.create(taken);
      await groupStore.create(moved);
      await settingsStore.put(standard, 0);
      const outcomes = await restorer.restore({
        groups: [
          { item: aJobGroup({ id: 'taken', description: 'ours' }), expectedVersion: undefined },
          { item: aJobGroup({ id: 'moved', description: 'ours', version: 2 }), expectedVersion: 1 },
          { item: aJobGroup({ id: 'gone', version: 5 }), expectedVersion: 4 },
          { item: aJobGroup({ id: 'fresh' }), expectedVersion: undefined },
        ],
        dataSources: [{ item: { ...standard, plan: 'premium' }, expectedVersion: undefined }],
      });
      expect(outcomes).toEqual({
        groups: ['conflict', 'conflict', 'conflict', 'applied'],
        dataSources: ['conflict'],
      });
      expect(await groupStore.get('taken')).toEqual(taken);
      expect(await groupStore.get('moved')).toEqual(moved);
      expect(await groupStore.get('gone')).toBeUndefined();
      expect(await groupStore.get('fresh')).toBeDefined();
      expect(await settingsStore.get('jquants')).toEqual(standard);
    });

    it('answers an empty restore with no outcomes', async () => {
      expect(await subject.restorer.restore({ groups: [], dataSources: [] })).toEqual({ groups: [], dataSources: [] });
    });
  });
}
