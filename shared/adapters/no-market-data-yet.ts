import type { ListedCodesFilter } from '#shared/domain/parameters-template.ts';
import type { ListedCodesSource } from '#shared/ports/listed-codes-source.ts';
import type { TradingCalendar } from '#shared/ports/trading-calendar.ts';

/**
 * Lookups for a deployment that stores no master or calendar rows yet: `$listedCodes` expands to no codes and
 * `{{previousBusinessDay}}` falls back to weekdays, exactly as the template contract says for "nothing stored".
 */
export const noListedCodes: ListedCodesSource = {
  listedCodes: async (_filter: ListedCodesFilter): Promise<readonly string[]> => [],
};

export const noTradingCalendar: TradingCalendar = {
  previousBusinessDay: async (): Promise<string | undefined> => undefined,
};
