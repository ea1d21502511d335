import { jquantsApiKeyFrom } from '#shared/adapters/jquants-api-key.ts';
import { systemClock } from '#shared/adapters/system-clock.ts';
import { JquantsClient } from '#shared/data-sources/jquants/jquants-client.ts';
import { JquantsDataSource } from '#shared/data-sources/jquants/jquants-data-source.ts';
import type { DataSource } from '#shared/ports/data-source.ts';

/**
 * The J-Quants data source as configured by the environment: `JQUANTS_BASE_URL` (another server, e.g. the demo
 * upstream or a recording proxy) and the key from `JQUANTS_API_KEY` or the Secrets Manager secret.
 */
export function createJquantsDataSource(env: Record<string, string | undefined> = process.env): DataSource {
  const baseUrl = env.JQUANTS_BASE_URL;
  return new JquantsDataSource({
    client: new JquantsClient({
      apiKey: jquantsApiKeyFrom(env),
      ...(env.UPSTREAM_TIMEOUT_MS === undefined ? {} : { timeoutMs: Number(env.UPSTREAM_TIMEOUT_MS) }),
      ...(baseUrl === undefined || baseUrl === '' ? {} : { baseUrl }),
    }),
    clock: systemClock,
  });
}
