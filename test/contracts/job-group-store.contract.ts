import { beforeEach, describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '#shared/domain/errors.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import { aJobGroup } from '#test/fixtures/builders.ts';

/** A store under test, and a way to put an item into it as it is, bypassing validation. */
export interface JobGroupStoreUnderTest {
  readonly store: JobGroupStore;
  putRawItem(item: Record<string, unknown> & { id: string }): Promise<void>;
}

/** The behaviour every JobGroupStore must have; run against the fake (unit) and DynamoDB on moto (integration). */
export function describeJobGroupStoreContract(name: string, createStore: () => Promise<JobGroupStoreUnderTest>): void {
  describe(`JobGroupStore contract: ${name}`, () => {
    let store: JobGroupStore;
    let putRawItem: JobGroupStoreUnderTest['putRawItem'];
    beforeEach(async () => {
      ({ store, putRawItem } = await createStore());
    });

    it('returns a created group exactly as stored', async () => {
      const group = aJobGroup({ parametersTemplate: { code: { $each: ['72030', '130A0'] } }, pause: null });
      await store.create(group);
      expect(await store.get(group.id)).toEqual(group);
    });

    it('returns undefined for a group that does not exist', async () => {
      expect(await store.get('missing')).toBeUndefined();
    });

    it('refuses to create a group whose id is taken and keeps the first', async () => {
      await store.create(aJobGroup({ name: 'first' }));
      await expect(store.create(aJobGroup({ name: 'second' }))).rejects.toBeInstanceOf(AlreadyExistsError);
      expect((await store.get('daily-bars'))?.name).toBe('first');
    });

    it('lists every group ordered by id', async () => {
      for (const id of ['topix', 'calendar', 'master']) await store.create(aJobGroup({ id }));
      expect(await store.list()).toMatchObject({ unreadable: [] });
      expect((await store.list()).groups.map((group) => group.id)).toEqual(['calendar', 'master', 'topix']);
    });

    it('lists a stored item that does not parse apart, with what failed, and still lists the others', async () => {
      await store.create(aJobGroup({ id: 'topix' }));
      await store.create(aJobGroup({ id: 'calendar' }));
      await putRawItem({ ...aJobGroup({ id: 'broken' }), schedule: 1730, version: 'one' });
      const { groups, unreadable } = await store.list();
      expect(groups.map((group) => group.id)).toEqual(['calendar', 'topix']);
      expect(unreadable).toEqual([{ id: 'broken', error: expect.stringMatching(/^schedule: .+ \(and 1 more\)$/) }]);
    });

    it('updates a group that is still at the expected version', async () => {
      await store.create(aJobGroup());
      await store.update(aJobGroup({ name: 'renamed', version: 2 }), 1);
      expect(await store.get('daily-bars')).toMatchObject({ name: 'renamed', version: 2 });
    });

    it('rejects an update from a stale version and keeps the stored group', async () => {
      await store.create(aJobGroup());
      await store.update(aJobGroup({ name: 'second', version: 2 }), 1);
      await expect(store.update(aJobGroup({ name: 'stale', version: 2 }), 1)).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect(await store.get('daily-bars')).toMatchObject({ name: 'second', version: 2 });
    });

    it('reports an update of a missing group as not found', async () => {
      await expect(store.update(aJobGroup({ version: 2 }), 1)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('deletes a group, checking the version when one is given', async () => {
      await store.create(aJobGroup({ id: 'a' }));
      await store.create(aJobGroup({ id: 'b' }));
      await expect(store.delete('a', 7)).rejects.toBeInstanceOf(VersionConflictError);
      await store.delete('a', 1);
      await store.delete('b');
      expect(await store.list()).toEqual({ groups: [], unreadable: [] });
      await expect(store.delete('a')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('keeps a pause with its reason and until', async () => {
      const pause = {
        reason: 'upstream maintenance',
        by: 'ops',
        until: '2026-11-28T00:00:00.000Z',
        pausedAt: '2026-11-27T00:00:00.000Z',
      };
      await store.create(aJobGroup({ pause }));
      expect((await store.get('daily-bars'))?.pause).toEqual(pause);
    });
  });
}
