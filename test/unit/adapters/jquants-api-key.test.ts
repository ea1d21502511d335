import {
  GetSecretValueCommand,
  InternalServiceError,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { jquantsApiKeyFrom } from '#shared/adapters/jquants-api-key.ts';
import { JquantsClient } from '#shared/data-sources/jquants/jquants-client.ts';
import { CredentialsError, MissingCredentialsError, RetryableUpstreamError } from '#shared/ports/upstream-errors.ts';
import { jquantsServersPerTest } from '#test/fixtures/jquants/jquants-test-server.ts';
import { failureOfPages } from '#test/unit/data-sources/collect-pages.ts';

const secretsManagerMock = mockClient(SecretsManagerClient);
const secretArn = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:jquants-api-key-AbCdEf';
const fromSecret = { JQUANTS_API_KEY_SECRET_ARN: secretArn };
const serve = jquantsServersPerTest();

/** What reading the key threw. */
async function failureOfRead(readKey: () => Promise<string>): Promise<unknown> {
  return readKey().then(
    () => new Error('expected the key read to fail'),
    (error: unknown) => error,
  );
}

afterEach(() => {
  secretsManagerMock.reset();
});

describe('jquantsApiKeyFrom', () => {
  it('returns JQUANTS_API_KEY without asking Secrets Manager', async () => {
    await expect(jquantsApiKeyFrom({ JQUANTS_API_KEY: 'local-key', ...fromSecret })()).resolves.toBe('local-key');
    expect(secretsManagerMock.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('reports a missing key when neither the key nor a secret is configured', async () => {
    const error = await failureOfRead(jquantsApiKeyFrom({ JQUANTS_API_KEY: '' }));
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect((error as Error).message).toContain('JQUANTS_API_KEY_SECRET_ARN');
  });

  it('reads the secret once, trimmed, and serves later reads from its cache', async () => {
    secretsManagerMock.on(GetSecretValueCommand).resolves({ SecretString: 'secret-key\n' });
    const readKey = jquantsApiKeyFrom(fromSecret);
    expect(await readKey()).toBe('secret-key');
    expect(await readKey()).toBe('secret-key');
    const calls = secretsManagerMock.commandCalls(GetSecretValueCommand);
    expect(calls.map((call) => call.args[0].input)).toEqual([{ SecretId: secretArn }]);
  });

  it.each([
    ['blank', { SecretString: '  \n' }],
    ['binary only', { SecretBinary: new Uint8Array([1, 2]) }],
  ])('reports a missing key when the secret value is %s', async (_case, output) => {
    secretsManagerMock.on(GetSecretValueCommand).resolves(output);
    const error = await failureOfRead(jquantsApiKeyFrom(fromSecret));
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect((error as Error).message).toContain('secret is empty');
  });

  it('reports a missing key when the secret has no value yet (no AWSCURRENT version)', async () => {
    secretsManagerMock.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
        $metadata: {},
      }),
    );
    const error = await failureOfRead(jquantsApiKeyFrom(fromSecret));
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect((error as Error).message).toContain('has no value');
    expect((error as Error).cause).toBeInstanceOf(ResourceNotFoundException);
  });

  it('rethrows any other Secrets Manager failure unchanged', async () => {
    const outage = new InternalServiceError({ message: 'internal failure', $metadata: {} });
    secretsManagerMock.on(GetSecretValueCommand).rejects(outage);
    expect(await failureOfRead(jquantsApiKeyFrom(fromSecret))).toBe(outage);
  });

  it('makes a J-Quants fetch fail on credentials, sending nothing, while the secret has no value', async () => {
    secretsManagerMock
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'no AWSCURRENT', $metadata: {} }));
    const server = await serve(() => ({ json: { data: [] } }));
    const client = new JquantsClient({ apiKey: jquantsApiKeyFrom(fromSecret), baseUrl: server.baseUrl });
    expect(await failureOfPages(client.pages('/markets/calendar', {}))).toBeInstanceOf(CredentialsError);
    expect(server.requests).toHaveLength(0);
  });

  it('makes a J-Quants fetch retryable while Secrets Manager cannot be reached', async () => {
    secretsManagerMock.on(GetSecretValueCommand).rejects(new Error('connect ETIMEDOUT'));
    const server = await serve(() => ({ json: { data: [] } }));
    const client = new JquantsClient({ apiKey: jquantsApiKeyFrom(fromSecret), baseUrl: server.baseUrl });
    expect(await failureOfPages(client.pages('/markets/calendar', {}))).toBeInstanceOf(RetryableUpstreamError);
    expect(server.requests).toHaveLength(0);
  });
});
