import { beforeEach, describe, expect, it } from 'vitest';
import { requireDataset } from '#shared/datasets/registry.ts';
import type { MarketDataStore } from '#shared/ports/market-data-store.ts';

const bars = requireDataset('jquants.equities.bars.daily');
const calendar = requireDataset('jquants.markets.calendar');

function aBar(code: string, date: string, close: number | null = 100): Record<string, unknown> {
  return { code, date, close, fetchedAt: '2026-11-27T08:00:00.000Z', runId: 'run-1' };
}

/** The behaviour every MarketDataStore must have. */
export function describeMarketDataStoreContract(name: string, createStore: () => Promise<MarketDataStore>): void {
  describe(`MarketDataStore contract: ${name}`, () => {
    let store: MarketDataStore;
    beforeEach(async () => {
      store = await createStore();
    });

    it('upserts by natural key: writing a row again replaces it', async () => {
      await store.upsertRows(bars, [aBar('72030', '2026-11-26', 100), aBar('72030', '2026-11-27', 101)]);
      await store.upsertRows(bars, [aBar('72030', '2026-11-27', 102)]);
      const page = await store.queryRows(bars, { series: '72030' });
      expect(page.items.map((row) => [row.date, row.close])).toEqual([
        ['2026-11-26', 100],
        ['2026-11-27', 102],
      ]);
    });

    it('writes a row repeated within one call once', async () => {
      expect(await store.upsertRows(bars, [aBar('130A0', '2026-11-27', 1), aBar('130A0', '2026-11-27', 2)])).toBe(1);
      expect((await store.queryRows(bars, { series: '130A0' })).items).toEqual([aBar('130A0', '2026-11-27', 2)]);
    });

    it('writes many rows in batches and reads them back by date across codes, page by page', async () => {
      const rows = Array.from({ length: 60 }, (_, index) => aBar(`${1000 + index}0`, '2026-11-27', index));
      expect(await store.upsertRows(bars, rows)).toBe(60);
      const codes: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.queryRows(bars, { date: '2026-11-27', limit: 25, ...(cursor ? { cursor } : {}) });
        codes.push(...page.items.map((row) => String(row.code)));
        cursor = page.cursor;
      } while (cursor !== undefined);
      expect(codes).toEqual(rows.map((row) => String(row.code)));
    });

    it('reads a series over a date range and on one date', async () => {
      await store.upsertRows(
        bars,
        ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'].map((date) => aBar('72030', date)),
      );
      const range = await store.queryRows(bars, { series: '72030', from: '2026-11-25', to: '2026-11-26' });
      expect(range.items.map((row) => row.date)).toEqual(['2026-11-25', '2026-11-26']);
      const day = await store.queryRows(bars, { series: '72030', date: '2026-11-27' });
      expect(day.items.map((row) => row.date)).toEqual(['2026-11-27']);
    });

    it('keeps null prices as null', async () => {
      await store.upsertRows(bars, [aBar('72030', '2026-11-27', null)]);
      expect((await store.queryRows(bars, { series: '72030' })).items[0]?.close).toBeNull();
    });

    it('knows the latest date stored per dataset', async () => {
      expect(await store.latestDate(bars)).toBeUndefined();
      await store.upsertRows(bars, [
        aBar('72030', '2026-11-25'),
        aBar('72030', '2026-11-27'),
        aBar('67580', '2026-11-26'),
      ]);
      expect(await store.latestDate(bars)).toBe('2026-11-27');
      expect(await store.latestDate(calendar)).toBeUndefined();
    });

    it('stores date-only datasets under one series', async () => {
      await store.upsertRows(calendar, [
        { date: '2026-11-23', holidayDivision: '0', fetchedAt: 'x', runId: 'r' },
        { date: '2026-11-24', holidayDivision: '1', fetchedAt: 'x', runId: 'r' },
      ]);
      const page = await store.queryRows(calendar, { series: '-', from: '2026-11-01', to: '2026-11-30' });
      expect(page.items.map((row) => row.date)).toEqual(['2026-11-23', '2026-11-24']);
    });
  });
}
