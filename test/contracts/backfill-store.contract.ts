import { beforeEach, describe, expect, it } from 'vitest';
import { type Backfill, newBackfill } from '#shared/domain/backfill.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { BackfillStore } from '#shared/ports/backfill-store.ts';
import { aRun } from '#test/fixtures/builders.ts';

const at = '2026-12-01T00:00:00.000Z';
const plan = { mode: 'dates' as const, dates: ['2026-11-26', '2026-11-27'], skipped: 1, plannedRequests: 2 };

function aBackfill(groupId = 'bars', createdAt = at): Backfill {
  return newBackfill({
    groupId,
    dataSource: 'jquants',
    dataset: 'jquants.equities.bars.daily',
    from: '2026-11-25',
    to: '2026-11-27',
    force: false,
    at: createdAt,
  });
}

/** The behaviour every BackfillStore must have; run against the fake (unit) and DynamoDB on moto (integration). */
export function describeBackfillStoreContract(name: string, createStore: () => Promise<BackfillStore>): void {
  describe(`BackfillStore contract: ${name}`, () => {
    let store: BackfillStore;
    beforeEach(async () => {
      store = await createStore();
    });

    it('stores a backfill and reads it back as stored', async () => {
      const backfill = aBackfill();
      await store.create(backfill);
      expect(await store.get(backfill.backfillId)).toEqual(backfill);
      expect(await store.get('nope')).toBeUndefined();
    });

    it('lists a group backfills newest first across pages, and none of another group', async () => {
      const created = ['2026-12-01T00:00:01.000Z', '2026-12-01T00:00:02.000Z', '2026-12-01T00:00:03.000Z'].map(
        (createdAt) => aBackfill('bars', createdAt),
      );
      for (const backfill of created) await store.create(backfill);
      await store.create(aBackfill('fins'));
      const first = await store.listByGroup('bars', { limit: 2 });
      expect(first.items.map((backfill) => backfill.createdAt)).toEqual([
        '2026-12-01T00:00:03.000Z',
        '2026-12-01T00:00:02.000Z',
      ]);
      const rest = await store.listByGroup('bars', {
        limit: 2,
        ...(first.cursor === undefined ? {} : { cursor: first.cursor }),
      });
      expect(rest.items.map((backfill) => backfill.createdAt)).toEqual(['2026-12-01T00:00:01.000Z']);
      expect(rest.cursor).toBeUndefined();
    });

    it('applies events on the stored revision and lists only the backfills not finished as open', async () => {
      const going = aBackfill('bars', '2026-12-01T00:00:01.000Z');
      const done = aBackfill('bars', '2026-12-01T00:00:02.000Z');
      await store.create(going);
      await store.create(done);
      const planned = await store.update(going.backfillId, { kind: 'planned', at, plan });
      expect(planned.backfill).toMatchObject({ status: 'running', plan, revision: 1 });
      await store.update(done.backfillId, { kind: 'cancel', at });
      expect((await store.listOpen()).map((backfill) => backfill.backfillId)).toEqual([going.backfillId]);
      const again = await store.update(done.backfillId, { kind: 'cancel', at });
      expect(again.refused).toBe('finished');
      expect(again.backfill.status).toBe('cancelled');
    });

    it('counts each date once, however often its finish is reported, and settles after the last', async () => {
      const backfill = aBackfill();
      await store.create(backfill);
      await store.update(backfill.backfillId, { kind: 'planned', at, plan });
      await store.update(backfill.backfillId, { kind: 'dates-started', at, dates: plan.dates });
      const first = aRun({
        businessDate: '2026-11-26',
        status: 'succeeded',
        counters: { total: 2, succeeded: 2, failed: 0, dead: 0 },
        rowsWritten: 2,
        upstreamRequests: 1,
      });
      await store.update(backfill.backfillId, { kind: 'date-finished', at, run: first });
      expect((await store.update(backfill.backfillId, { kind: 'date-finished', at, run: first })).refused).toBe(
        'unknown-date',
      );
      const second = aRun({
        businessDate: '2026-11-27',
        status: 'failed',
        counters: { total: 2, succeeded: 0, failed: 2, dead: 2 },
      });
      const failure = { date: '2026-11-27', runId: second.runId, error: { code: 'upstream_rejected', message: '400' } };
      await store.update(backfill.backfillId, { kind: 'date-finished', at, run: second, failure });
      const finished = await store.update(backfill.backfillId, { kind: 'settle', at });
      expect(finished.backfill).toMatchObject({
        status: 'partially_failed',
        inFlight: [],
        progress: {
          done: 1,
          failed: 1,
          jobs: { total: 4, succeeded: 2, failed: 2 },
          rowsWritten: 2,
          upstreamRequests: 1,
        },
        failures: [failure],
      });
      expect(await store.listOpen()).toEqual([]);
    });

    it('fails for an unknown backfill', async () => {
      await expect(store.update('nope', { kind: 'cancel', at })).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
