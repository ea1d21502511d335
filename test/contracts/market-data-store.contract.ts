import { beforeEach, describe, expect, it } from 'vitest';
import { requireDataset } from '#shared/datasets/registry.ts';
import type { MarketDataStore } from '#shared/ports/market-data-store.ts';

const bars = requireDataset('jquants.equities.bars.daily');
const calendar = requireDataset('jquants.markets.calendar');
const master = requireDataset('jquants.equities.master');

/** A daily bar; with `close` null and no other price or volume it is a row without values. */
function aBar(code: string, date: string, close: number | null = 100, runId = 'run-1'): Record<string, unknown> {
  return { code, date, close, fetchedAt: '2026-11-27T08:00:00.000Z', runId };
}

function anIssue(date: string, code: string, marginCode: string | null = '1'): Record<string, unknown> {
  return { date, code, companyName: `Company ${code}`, marketCode: '0111', marginCode, fetchedAt: 'x', runId: 'r' };
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
      expect(await store.upsertRows(bars, [aBar('130A0', '2026-11-27', 1), aBar('130A0', '2026-11-27', 2)])).toEqual({
        written: 1,
        kept: [],
      });
      expect((await store.queryRows(bars, { series: '130A0' })).items).toEqual([aBar('130A0', '2026-11-27', 2)]);
    });

    it('writes many rows in batches and reads them back by date across codes, page by page', async () => {
      const rows = Array.from({ length: 60 }, (_, index) => aBar(`${1000 + index}0`, '2026-11-27', index));
      expect(await store.upsertRows(bars, rows)).toEqual({ written: 60, kept: [] });
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
      expect(await store.upsertRows(bars, [aBar('72030', '2026-11-27', null)])).toEqual({ written: 1, kept: [] });
      expect((await store.queryRows(bars, { series: '72030' })).items[0]?.close).toBeNull();
    });

    it('keeps a stored row with values when the same row comes back without any', async () => {
      await store.upsertRows(bars, [aBar('72030', '2026-11-27', 2047)]);
      const empty = { ...aBar('72030', '2026-11-27', null, 'run-2'), volume: null, turnoverValue: null };
      expect(await store.upsertRows(bars, [empty])).toEqual({ written: 0, kept: [empty] });
      expect((await store.queryRows(bars, { series: '72030' })).items).toEqual([aBar('72030', '2026-11-27', 2047)]);
    });

    it('replaces a stored row with values by a row that has a single value', async () => {
      await store.upsertRows(bars, [aBar('72030', '2026-11-27', 2047)]);
      const volumeOnly = { ...aBar('72030', '2026-11-27', null, 'run-2'), volume: 1_200_000 };
      expect(await store.upsertRows(bars, [volumeOnly])).toEqual({ written: 1, kept: [] });
      expect((await store.queryRows(bars, { series: '72030' })).items).toEqual([volumeOnly]);
    });

    it('replaces a stored row without values by a new row without values', async () => {
      await store.upsertRows(bars, [aBar('72030', '2026-11-27', null)]);
      expect(await store.upsertRows(bars, [aBar('72030', '2026-11-27', null, 'run-2')])).toEqual({
        written: 1,
        kept: [],
      });
      expect((await store.queryRows(bars, { series: '72030' })).items[0]?.runId).toBe('run-2');
    });

    it('keeps only the stored rows with values among a call of rows with and without values', async () => {
      await store.upsertRows(bars, [aBar('72030', '2026-11-27', 2047), aBar('67580', '2026-11-27', null)]);
      const result = await store.upsertRows(bars, [
        aBar('72030', '2026-11-27', null, 'run-2'),
        aBar('67580', '2026-11-27', null, 'run-2'),
        aBar('99840', '2026-11-27', null, 'run-2'),
        aBar('130A0', '2026-11-27', 512, 'run-2'),
      ]);
      expect(result).toEqual({ written: 3, kept: [aBar('72030', '2026-11-27', null, 'run-2')] });
      const day = await store.queryRows(bars, { date: '2026-11-27' });
      expect(day.items.map((row) => [row.code, row.close, row.runId])).toEqual([
        ['130A0', 512, 'run-2'],
        ['67580', null, 'run-2'],
        ['72030', 2047, 'run-1'],
        ['99840', null, 'run-2'],
      ]);
    });

    it('keeps stored rows with values for more rows without values than one read takes', async () => {
      const codes = Array.from({ length: 130 }, (_, index) => `${1000 + index}0`);
      await store.upsertRows(
        bars,
        codes.map((code, index) => aBar(code, '2026-11-27', index % 2 === 0 ? index : null)),
      );
      const result = await store.upsertRows(
        bars,
        codes.map((code) => aBar(code, '2026-11-27', null, 'run-2')),
      );
      expect(result.written).toBe(65);
      expect(result.kept.map((row) => row.code)).toEqual(codes.filter((_, index) => index % 2 === 0));
      const page = await store.queryRows(bars, { date: '2026-11-27', limit: 200 });
      expect(page.items.filter((row) => row.runId === 'run-1').map((row) => row.code)).toEqual(
        codes.filter((_, index) => index % 2 === 0),
      );
    });

    it('replaces rows of a dataset without value fields whatever they hold', async () => {
      await store.upsertRows(master, [anIssue('2026-11-27', '72030', '1')]);
      expect(await store.upsertRows(master, [anIssue('2026-11-27', '72030', null)])).toEqual({ written: 1, kept: [] });
      expect((await store.queryRows(master, { series: '72030' })).items).toEqual([
        anIssue('2026-11-27', '72030', null),
      ]);
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

    it('knows the latest complete date apart from a newer date stored only in part', async () => {
      expect(await store.latestCompleteDate(master)).toBeUndefined();
      await store.upsertRows(master, [anIssue('2026-11-25', '72030'), anIssue('2026-11-25', '67580')]);
      await store.markComplete(master, '2026-11-25');
      // The first page of the next snapshot, whose fetch then stopped.
      await store.upsertRows(master, [anIssue('2026-11-26', '130A0')]);
      expect(await store.latestDate(master)).toBe('2026-11-26');
      const complete = await store.latestCompleteDate(master);
      expect(complete).toBe('2026-11-25');
      const snapshot = await store.queryRows(master, { date: complete ?? '' });
      expect(snapshot.items.map((row) => row.code)).toEqual(['67580', '72030']);
      expect(await store.latestCompleteDate(bars)).toBeUndefined();
    });

    it('takes the newest complete date whatever order dates are marked in, marked once or twice', async () => {
      await store.markComplete(master, '2026-11-26');
      await store.markComplete(master, '2026-11-24');
      await store.markComplete(master, '2026-11-26');
      expect(await store.latestCompleteDate(master)).toBe('2026-11-26');
      expect(await store.latestCompleteDate(calendar)).toBeUndefined();
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
