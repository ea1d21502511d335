import { systemClock } from '#shared/adapters/system-clock.ts';
import { checkYahooCredentials } from '#shared/data-sources/yahoo/yahoo-credentials-check.ts';
import type { CredentialsCheck, DataSource, FetchContext } from '#shared/ports/data-source.ts';

/**
 * YahooDataSource's credentials check, configured from the environment as `createYahooDataSource` configures the
 * data source (`YAHOO_BASE_URL`, `UPSTREAM_TIMEOUT_MS`), without yahoo-finance2: a function that checks Yahoo but
 * never fetches from it (the admin API) does not bundle the library.
 */
export function createYahooCredentialsCheck(
  env: Record<string, string | undefined> = process.env,
): Pick<DataSource, 'id' | 'validateCredentials'> {
  const baseUrl = env.YAHOO_BASE_URL;
  const options = {
    ...(baseUrl === undefined || baseUrl === '' ? {} : { baseUrl }),
    ...(env.UPSTREAM_TIMEOUT_MS === undefined ? {} : { timeoutMs: Number(env.UPSTREAM_TIMEOUT_MS) }),
    clock: systemClock,
  };
  return {
    id: 'yahoo',
    validateCredentials: (context: FetchContext = {}): Promise<CredentialsCheck> =>
      checkYahooCredentials(options, context),
  };
}
