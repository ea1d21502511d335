import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { endpointOptions } from '#shared/adapters/aws-endpoint.ts';
import { MissingCredentialsError } from '#shared/ports/upstream-errors.ts';

/** Secrets are re-read this often, so a rotated key reaches warm functions without a redeploy. */
const secretCacheMs = 5 * 60_000;

/**
 * Where the J-Quants API key comes from: `JQUANTS_API_KEY` (local), else the Secrets Manager secret named by
 * `JQUANTS_API_KEY_SECRET_ARN` (deployed), read lazily and cached. The key is returned, never logged.
 *
 * No key configured, an empty secret and a secret that has no value yet throw `MissingCredentialsError`: nothing but
 * an operator fixes them. Any other Secrets Manager failure is rethrown unchanged (transient, worth a retry).
 */
export function jquantsApiKeyFrom(env: Record<string, string | undefined> = process.env): () => Promise<string> {
  const key = env.JQUANTS_API_KEY;
  if (key !== undefined && key !== '') return async () => key;
  const secretArn = env.JQUANTS_API_KEY_SECRET_ARN;
  if (secretArn === undefined || secretArn === '') {
    return async () => {
      throw new MissingCredentialsError('no J-Quants API key: set JQUANTS_API_KEY or JQUANTS_API_KEY_SECRET_ARN');
    };
  }
  const client = new SecretsManagerClient({ ...endpointOptions(env) });
  let cached: { value: string; readAt: number } | undefined;
  return async () => {
    if (cached !== undefined && Date.now() - cached.readAt < secretCacheMs) return cached.value;
    const value = (await readSecret(client, secretArn))?.trim();
    if (value === undefined || value === '') {
      throw new MissingCredentialsError(
        'the J-Quants API key secret is empty: put the key from the J-Quants dashboard in it',
      );
    }
    cached = { value, readAt: Date.now() };
    return value;
  };
}

async function readSecret(client: SecretsManagerClient, secretArn: string): Promise<string | undefined> {
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    return SecretString;
  } catch (error) {
    // A secret created without a value has no AWSCURRENT version, and GetSecretValue answers ResourceNotFound for it
    // (as for a secret that does not exist): https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
    if (error instanceof ResourceNotFoundException) {
      throw new MissingCredentialsError(
        'the J-Quants API key secret has no value: put the key from the J-Quants dashboard in it',
        { cause: error },
      );
    }
    throw error;
  }
}
