import { systemClock } from '#shared/adapters/system-clock.ts';
import { YahooDataSource } from '#shared/data-sources/yahoo/yahoo-data-source.ts';
import type { DataSource } from '#shared/ports/data-source.ts';

/**
 * The Yahoo data source as configured by the environment (`YAHOO_BASE_URL`). Its own module, so that only the
 * functions that fetch from Yahoo bundle the Yahoo library.
 */
export function createYahooDataSource(env: Record<string, string | undefined> = process.env): DataSource {
  const baseUrl = env.YAHOO_BASE_URL;
  return new YahooDataSource({
    ...(baseUrl === undefined || baseUrl === '' ? {} : { baseUrl }),
    ...(env.UPSTREAM_TIMEOUT_MS === undefined ? {} : { timeoutMs: Number(env.UPSTREAM_TIMEOUT_MS) }),
    clock: systemClock,
  });
}
