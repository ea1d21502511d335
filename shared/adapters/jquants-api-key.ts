import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { endpointOptions } from '#shared/adapters/aws-endpoint.ts';
import { ConfigError } from '#shared/config/load-config.ts';

/** Secrets are re-read this often, so a rotated key reaches warm functions without a redeploy. */
const secretCacheMs = 5 * 60_000;

/**
 * Where the J-Quants API key comes from: `JQUANTS_API_KEY` (local), else the Secrets Manager secret named by
 * `JQUANTS_API_KEY_SECRET_ARN` (deployed), read lazily and cached. The key is returned, never logged.
 */
export function jquantsApiKeyFrom(env: Record<string, string | undefined> = process.env): () => Promise<string> {
  const key = env.JQUANTS_API_KEY;
  if (key !== undefined && key !== '') return async () => key;
  const secretArn = env.JQUANTS_API_KEY_SECRET_ARN;
  if (secretArn === undefined || secretArn === '') {
    return async () => {
      throw new ConfigError('no J-Quants API key: set JQUANTS_API_KEY or JQUANTS_API_KEY_SECRET_ARN');
    };
  }
  const client = new SecretsManagerClient({ ...endpointOptions(env) });
  let cached: { value: string; readAt: number } | undefined;
  return async () => {
    if (cached !== undefined && Date.now() - cached.readAt < secretCacheMs) return cached.value;
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const value = SecretString?.trim();
    if (value === undefined || value === '') {
      throw new ConfigError('the J-Quants API key secret is empty: put the key from the J-Quants dashboard in it');
    }
    cached = { value, readAt: Date.now() };
    return value;
  };
}
