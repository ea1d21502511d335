import { describe, expect, it } from 'vitest';
import { StoredListedCodes, StoredTradingCalendar } from '#shared/adapters/stored-reference-data.ts';
import { requireDataset } from '#shared/datasets/registry.ts';
import { InMemoryMarketDataStore } from '#test/fakes/in-memory-market-data-store.ts';

const master = requireDataset('jquants.equities.master');
const calendar = requireDataset('jquants.markets.calendar');
const issue = (date: string, code: string, marketCode: string, sector33Code: string) => ({
  date,
  code,
  marketCode,
  sector33Code,
  fetchedAt: 'x',
  runId: 'r',
});

describe('listed codes and trading days from stored rows', () => {
  it('lists the codes of the latest complete master, filtered by market and sector', async () => {
    const store = new InMemoryMarketDataStore();
    await store.upsertRows(master, [issue('2026-11-25', '99990', '0111', '0050')]);
    await store.markComplete(master, '2026-11-25');
    await store.upsertRows(master, [
      issue('2026-11-26', '72030', '0111', '3700'),
      issue('2026-11-26', '130A0', '0113', '5250'),
      issue('2026-11-26', '67580', '0111', '3650'),
    ]);
    await store.markComplete(master, '2026-11-26');
    const listed = new StoredListedCodes(store);
    expect(await listed.listedCodes({})).toEqual(['130A0', '67580', '72030']);
    expect(await listed.listedCodes({ market: '0111' })).toEqual(['67580', '72030']);
    expect(await listed.listedCodes({ market: '0111', sector33: '3700' })).toEqual(['72030']);
  });

  it('lists the codes of an older complete master beside a newer one stored only in part', async () => {
    const store = new InMemoryMarketDataStore();
    await store.upsertRows(master, [
      issue('2026-11-25', '72030', '0111', '3700'),
      issue('2026-11-25', '67580', '0111', '3650'),
    ]);
    await store.markComplete(master, '2026-11-25');
    // Page 1 of the next snapshot; the fetch stopped before page 2.
    await store.upsertRows(master, [issue('2026-11-26', '130A0', '0113', '5250')]);
    expect(await new StoredListedCodes(store).listedCodes({})).toEqual(['67580', '72030']);
  });

  it('lists no codes before any master is stored', async () => {
    expect(await new StoredListedCodes(new InMemoryMarketDataStore()).listedCodes({})).toEqual([]);
  });

  it('lists no codes while no stored master is complete', async () => {
    const store = new InMemoryMarketDataStore();
    await store.upsertRows(master, [issue('2026-11-26', '72030', '0111', '3700')]);
    expect(await new StoredListedCodes(store).listedCodes({})).toEqual([]);
  });

  it('finds the previous trading day across a holiday and a weekend', async () => {
    const store = new InMemoryMarketDataStore();
    const days: [string, string][] = [
      ['2026-11-20', '1'],
      ['2026-11-21', '0'],
      ['2026-11-22', '0'],
      ['2026-11-23', '0'],
      ['2026-11-24', '1'],
    ];
    await store.upsertRows(
      calendar,
      days.map(([date, holidayDivision]) => ({ date, holidayDivision, fetchedAt: 'x', runId: 'r' })),
    );
    const tradingCalendar = new StoredTradingCalendar(store);
    expect(await tradingCalendar.previousBusinessDay('2026-11-24')).toBe('2026-11-20');
    expect(await tradingCalendar.previousBusinessDay('2026-11-30')).toBeUndefined();
  });
});
