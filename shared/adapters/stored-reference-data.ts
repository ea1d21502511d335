import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { type HolidayDivision, isTradingDay } from '#shared/datasets/jquants-markets-calendar.ts';
import { requireDataset } from '#shared/datasets/registry.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import type { ListedCodesFilter } from '#shared/domain/parameters-template.ts';
import type { ListedCodesSource } from '#shared/ports/listed-codes-source.ts';
import type { MarketDataStore } from '#shared/ports/market-data-store.ts';
import type { TradingCalendar } from '#shared/ports/trading-calendar.ts';

/** Reads every page of a query. */
async function allRows(
  store: MarketDataStore,
  dataset: DatasetDefinition,
  query: { series?: string; date?: string; from?: string; to?: string },
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.queryRows(dataset, { ...query, limit: 1000, ...(cursor ? { cursor } : {}) });
    rows.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return rows;
}

/**
 * `$listedCodes` from the latest complete `jquants.equities.master` snapshot (none: no codes). A snapshot is stored
 * page by page, so a newer date whose fetch stopped midway would fan a run out over part of the market.
 */
export class StoredListedCodes implements ListedCodesSource {
  readonly #store: MarketDataStore;
  readonly #master = requireDataset('jquants.equities.master');

  constructor(store: MarketDataStore) {
    this.#store = store;
  }

  async listedCodes(filter: ListedCodesFilter): Promise<readonly string[]> {
    const date = await this.#store.latestCompleteDate(this.#master);
    if (date === undefined) return [];
    const rows = await allRows(this.#store, this.#master, { date });
    return rows
      .filter((row) => filter.market === undefined || row.marketCode === filter.market)
      .filter((row) => filter.sector33 === undefined || row.sector33Code === filter.sector33)
      .map((row) => String(row.code))
      .sort();
  }
}

/** Trading days from the stored `jquants.markets.calendar` rows (HolDiv 1 or 2). */
export class StoredTradingCalendar implements TradingCalendar {
  readonly #store: MarketDataStore;
  readonly #calendar = requireDataset('jquants.markets.calendar');

  constructor(store: MarketDataStore) {
    this.#store = store;
  }

  async previousBusinessDay(date: string): Promise<string | undefined> {
    // Ten days back always holds a trading day (the longest closure, year end, is shorter).
    const from = new Date(Date.parse(`${date}T00:00:00Z`) - 20 * 86_400_000).toISOString().slice(0, 10);
    const rows = await allRows(this.#store, this.#calendar, { series: '-', from, to: date });
    if (!rows.some((row) => row.date === date)) return undefined;
    const tradingDays = rows
      .filter((row) => row.date !== date && isTradingDay(row.holidayDivision as HolidayDivision))
      .map((row) => String(row.date))
      .sort();
    return tradingDays.at(-1);
  }

  async businessDays(from: string, to: string): Promise<string[] | undefined> {
    const rows = await allRows(this.#store, this.#calendar, { series: '-', from, to });
    const days = new Set(rows.map((row) => String(row.date)));
    // The calendar answers every day, business or not: a day missing means it does not reach that far.
    for (let day = from; day <= to; day = addDays(day, 1)) if (!days.has(day)) return undefined;
    return rows
      .filter((row) => isTradingDay(row.holidayDivision as HolidayDivision))
      .map((row) => String(row.date))
      .sort();
  }
}
