import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { JquantsClient, type JquantsClientOptions } from '#shared/data-sources/jquants/jquants-client.ts';
import {
  CredentialsError,
  PermanentUpstreamError,
  RateLimitedError,
  RetryableUpstreamError,
  UpstreamError,
} from '#shared/ports/upstream-errors.ts';
import {
  anErrorBody,
  jquantsServersPerTest,
  paginated,
  refusedBaseUrl,
} from '#test/fixtures/jquants/jquants-test-server.ts';
import { aBarsDailyRow } from '#test/fixtures/jquants/market-rows.ts';

const apiKey = 'jq-test-key-5f3a9c1e7b';
const endpoint = '/equities/bars/daily';
const serve = jquantsServersPerTest();

function clientOf(baseUrl: string, options: Partial<JquantsClientOptions> = {}): JquantsClient {
  return new JquantsClient({ apiKey: async () => apiKey, baseUrl, ...options });
}

async function failureOf(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof UpstreamError)) throw new Error(`expected an UpstreamError, got ${inspect(error)}`);
  expect(inspect(error, { depth: 8 })).not.toContain(apiKey);
  return error;
}

function rowsOf(count: number, from = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_row, index) => aBarsDailyRow({ Code: `${1000 + from + index}0` }));
}

describe('JquantsClient requests', () => {
  it('sends the key in x-api-key, accepts gzip and names itself moomoo-markets', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    await clientOf(server.baseUrl).getAll(endpoint, { date: '2026-11-26' });
    const [request] = server.requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe(endpoint);
    expect(request?.headers['x-api-key']).toBe(apiKey);
    expect(request?.headers['accept-encoding']).toContain('gzip');
    expect(request?.headers['user-agent']).toMatch(/^moomoo-markets\/\d+\.\d+\.\d+/);
  });

  it('trims a trailing newline from a stored key before sending it', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    await clientOf(server.baseUrl, { apiKey: async () => `${apiKey}\n` }).getAll(endpoint, {});
    expect(server.requests[0]?.headers['x-api-key']).toBe(apiKey);
  });

  it('follows three pages, yielding every row once in three requests that repeat the query plus the key', async () => {
    const pages = [rowsOf(3), rowsOf(2, 3), rowsOf(1, 5)];
    const server = await serve(paginated(pages));
    const answer = await clientOf(server.baseUrl).getAll(endpoint, {
      code: '7203',
      from: '2026-11-01',
      to: '2026-11-26',
    });
    expect(answer.rows).toEqual(pages.flat());
    expect(answer.requests).toBe(3);
    expect(server.requests.map((request) => Object.fromEntries(request.query))).toEqual([
      { code: '7203', from: '2026-11-01', to: '2026-11-26' },
      { code: '7203', from: '2026-11-01', to: '2026-11-26', pagination_key: 'page+1/key==' },
      { code: '7203', from: '2026-11-01', to: '2026-11-26', pagination_key: 'page+2/key==' },
    ]);
  });

  it('stops when the pagination_key is an empty string', async () => {
    const server = await serve(paginated([rowsOf(1), rowsOf(1, 1)], { lastKey: '' }));
    const answer = await clientOf(server.baseUrl).getAll(endpoint, { date: '2026-11-26' });
    expect(answer).toEqual({ rows: [...rowsOf(1), ...rowsOf(1, 1)], requests: 2 });
  });

  it('awaits beforeRequest once per page, with the endpoint, before each request is sent', async () => {
    const server = await serve(paginated([rowsOf(1), rowsOf(1, 1), rowsOf(1, 2)]));
    const events: string[] = [];
    const beforeRequest = async (called: string): Promise<void> => {
      events.push(`before ${called} (sent so far: ${server.requests.length})`);
    };
    await clientOf(server.baseUrl).getAll(endpoint, { date: '2026-11-26' }, { beforeRequest });
    expect(events).toEqual([
      `before ${endpoint} (sent so far: 0)`,
      `before ${endpoint} (sent so far: 1)`,
      `before ${endpoint} (sent so far: 2)`,
    ]);
  });

  it('lets an error of beforeRequest through unchanged and sends nothing', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const paused = new Error('data source paused');
    const beforeRequest = async (): Promise<void> => {
      throw paused;
    };
    await expect(clientOf(server.baseUrl).getAll(endpoint, {}, { beforeRequest })).rejects.toBe(paused);
    expect(server.requests).toHaveLength(0);
  });

  it('decodes a gzip-encoded body', async () => {
    const server = await serve(() => ({ json: { data: rowsOf(2) }, gzip: true }));
    const answer = await clientOf(server.baseUrl).getAll(endpoint, { date: '2026-11-26' });
    expect(answer.rows).toEqual(rowsOf(2));
  });

  it('treats 210 (no content, partial) as an empty answer', async () => {
    const server = await serve(() => ({ status: 210, text: '' }));
    expect(await clientOf(server.baseUrl).getAll('/equities/bars/daily/am', {})).toEqual({ rows: [], requests: 1 });
  });

  it('gives up with a permanent error once the page cap is reached', async () => {
    const server = await serve((_request, index) => ({
      json: { data: rowsOf(1, index), pagination_key: `k${index}` },
    }));
    const error = await failureOf(clientOf(server.baseUrl, { maxPages: 3 }).getAll(endpoint, {}));
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error.message).toContain('3');
    expect(server.requests).toHaveLength(3);
  });

  it('fails permanently when the upstream repeats a pagination_key', async () => {
    const server = await serve(() => ({ json: { data: [], pagination_key: 'same' } }));
    const error = await failureOf(clientOf(server.baseUrl).getAll(endpoint, {}));
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(server.requests).toHaveLength(2);
  });
});

describe('JquantsClient status mapping', () => {
  it('turns 403 into a CredentialsError carrying the upstream message, endpoint and status', async () => {
    const server = await serve(() => ({
      status: 403,
      json: anErrorBody('The incoming api key is invalid or expired.'),
    }));
    const error = await failureOf(clientOf(server.baseUrl).getAll(endpoint, { code: '72030' }));
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error.message).toBe(`J-Quants ${endpoint} answered 403: The incoming api key is invalid or expired.`);
    expect(error).toMatchObject({ status: 403, endpoint });
    expect(error.message).not.toContain('72030');
  });

  it('treats 401 like 403', async () => {
    const server = await serve(() => ({ status: 401, json: anErrorBody('Unauthorized') }));
    expect(await failureOf(clientOf(server.baseUrl).getAll(endpoint, {}))).toBeInstanceOf(CredentialsError);
  });

  it('quotes the raw body, truncated to 300 characters, when an error body has no message', async () => {
    const server = await serve(() => ({ status: 403, text: `<html>${'x'.repeat(500)}</html>` }));
    const error = await failureOf(clientOf(server.baseUrl).getAll(endpoint, {}));
    expect(error.message).toContain('<html>xxx');
    expect(error.message.length).toBeLessThan(`J-Quants ${endpoint} answered 403: `.length + 302);
  });

  it('redacts the key when an error body echoes it', async () => {
    const server = await serve(() => ({ status: 403, json: anErrorBody(`api key ${apiKey} is invalid`) }));
    const error = await failureOf(clientOf(server.baseUrl).getAll(endpoint, {}));
    expect(error.message).toContain('api key [redacted] is invalid');
  });

  it('turns 400 into a PermanentUpstreamError with the upstream message', async () => {
    const message = 'This API requires at least 1 parameter as follows; date, code';
    const server = await serve(() => ({ status: 400, json: anErrorBody(message) }));
    const error = await failureOf(clientOf(server.baseUrl).getAll(endpoint, {}));
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error.message).toContain(message);
    expect(error.status).toBe(400);
  });

  it('turns 429 without Retry-After into a RateLimitedError with no retry hint', async () => {
    const server = await serve(() => ({ status: 429, json: anErrorBody('Rate limit exceeded') }));
    const error = await failureOf(clientOf(server.baseUrl).getAll(endpoint, {}));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: undefined });
    expect(server.requests).toHaveLength(1);
  });

  it('reads Retry-After seconds from a 429 that sends one', async () => {
    const server = await serve(() => ({
      status: 429,
      json: anErrorBody('slow down'),
      headers: { 'retry-after': '120' },
    }));
    expect(await failureOf(clientOf(server.baseUrl).getAll(endpoint, {}))).toMatchObject({ retryAfterSeconds: 120 });
  });

  it.each([500, 502, 503, 504])('turns %i into a RetryableUpstreamError', async (status) => {
    const server = await serve(() => ({ status, text: 'upstream trouble' }));
    const error = await failureOf(clientOf(server.baseUrl).getAll(endpoint, {}));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error).toMatchObject({ status, endpoint });
  });

  it('turns an undocumented 404 into a PermanentUpstreamError', async () => {
    const server = await serve(() => ({ status: 404, json: anErrorBody('Not Found') }));
    expect(await failureOf(clientOf(server.baseUrl).getAll('/no/such/path', {}))).toBeInstanceOf(
      PermanentUpstreamError,
    );
  });

  it('retries a 200 whose body is not JSON', async () => {
    const server = await serve(() => ({ text: '{"data":[{"Code":"72030"' }));
    const error = await failureOf(clientOf(server.baseUrl).getAll(endpoint, {}));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error.message).toContain('not JSON');
  });

  it.each([
    ['an object without data', { rows: [] }],
    ['data that is not an array', { data: { Code: '72030' } }],
    ['a bare array', [aBarsDailyRow()]],
  ])('fails permanently on a 200 with %s', async (_case, json) => {
    const server = await serve(() => ({ json }));
    const error = await failureOf(clientOf(server.baseUrl).getAll(endpoint, {}));
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error.message).toContain('data array');
  });
});

describe('JquantsClient transport failures', () => {
  it('turns a refused connection into a RetryableUpstreamError', async () => {
    const error = await failureOf(clientOf(await refusedBaseUrl()).getAll(endpoint, { code: '72030' }));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error.status).toBeUndefined();
    expect(error.message).not.toContain('72030');
  });

  it('gives up on a server that does not answer within timeoutMs, as retryable', async () => {
    const server = await serve(() => ({ hang: true }));
    const error = await failureOf(clientOf(server.baseUrl, { timeoutMs: 50 }).getAll(endpoint, {}));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error.message).toContain('did not answer within 50 ms');
  });

  it('gives up on a body that stalls midway within timeoutMs, as retryable', async () => {
    const server = await serve(() => ({ json: { data: rowsOf(20) }, stallBody: true }));
    // Long enough for the headers to arrive even on a busy machine, so the body is what times out.
    const error = await failureOf(clientOf(server.baseUrl, { timeoutMs: 500 }).getAll(endpoint, {}));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error.status).toBe(200);
  });

  it('stops the request in flight when the caller aborts', async () => {
    const server = await serve(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = failureOf(clientOf(server.baseUrl).getAll(endpoint, {}, { signal: controller.signal }));
    await server.requestArrived();
    controller.abort(new Error('job deadline'));
    const error = await pending;
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error.message).toContain('aborted by the caller');
  });

  it('sends nothing when the caller has already aborted', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const error = await failureOf(clientOf(server.baseUrl).getAll(endpoint, {}, { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses to call without a key', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const error = await failureOf(clientOf(server.baseUrl, { apiKey: async () => '  ' }).getAll(endpoint, {}));
    expect(error).toBeInstanceOf(CredentialsError);
    expect(server.requests).toHaveLength(0);
  });

  it('reports a key that cannot be read as retryable', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const apiKeyReader = async (): Promise<string> => {
      throw new Error('secrets manager unavailable');
    };
    const error = await failureOf(clientOf(server.baseUrl, { apiKey: apiKeyReader }).getAll(endpoint, {}));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
  });
});
