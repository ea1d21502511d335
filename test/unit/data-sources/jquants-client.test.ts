import { describe, expect, it } from 'vitest';
import {
  JquantsClient,
  type JquantsClientOptions,
  type JquantsRawPage,
} from '#shared/data-sources/jquants/jquants-client.ts';
import type { FetchContext } from '#shared/ports/data-source.ts';
import {
  CredentialsError,
  MissingCredentialsError,
  PermanentUpstreamError,
  RateLimitedError,
  RetryableUpstreamError,
  type UpstreamError,
} from '#shared/ports/upstream-errors.ts';
import {
  anErrorBody,
  jquantsServersPerTest,
  paginated,
  refusedBaseUrl,
} from '#test/fixtures/jquants/jquants-test-server.ts';
import { aBarsDailyRow } from '#test/fixtures/jquants/market-rows.ts';
import { collectPages, upstreamFailureOf } from '#test/unit/data-sources/collect-pages.ts';

const apiKey = 'jq-test-key-5f3a9c1e7b';
const endpoint = '/equities/bars/daily';
const serve = jquantsServersPerTest();

function clientOf(baseUrl: string, options: Partial<JquantsClientOptions> = {}): JquantsClient {
  return new JquantsClient({ apiKey: async () => apiKey, baseUrl, ...options });
}

/** Every page of `endpoint` for `params`. */
function pagesOf(
  client: JquantsClient,
  params: Record<string, string> = {},
  context?: FetchContext,
): Promise<JquantsRawPage[]> {
  return collectPages(client.pages(endpoint, params, context));
}

/** The UpstreamError pulling every page threw, checked to hold no trace of the key. */
function failureOf(
  client: JquantsClient,
  params: Record<string, string> = {},
  context?: FetchContext,
): Promise<UpstreamError> {
  return upstreamFailureOf(client.pages(endpoint, params, context), apiKey);
}

function rowsOf(count: number, from = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_row, index) => aBarsDailyRow({ Code: `${1000 + from + index}0` }));
}

describe('JquantsClient requests', () => {
  it('sends the key in x-api-key, accepts gzip and names itself moomoo-markets', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    await pagesOf(clientOf(server.baseUrl), { date: '2026-11-26' });
    const [request] = server.requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe(endpoint);
    expect(request?.headers['x-api-key']).toBe(apiKey);
    expect(request?.headers['accept-encoding']).toContain('gzip');
    expect(request?.headers['user-agent']).toMatch(/^moomoo-markets\/\d+\.\d+\.\d+/);
  });

  it('trims a trailing newline from a stored key before sending it', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    await pagesOf(clientOf(server.baseUrl, { apiKey: async () => `${apiKey}\n` }));
    expect(server.requests[0]?.headers['x-api-key']).toBe(apiKey);
  });

  it('yields three pages in three requests that repeat the query plus the key, each page naming the next', async () => {
    const pages = [rowsOf(3), rowsOf(2, 3), rowsOf(1, 5)];
    const server = await serve(paginated(pages));
    const answer = await pagesOf(clientOf(server.baseUrl), { code: '7203', from: '2026-11-01', to: '2026-11-26' });
    expect(answer).toEqual([
      { data: pages[0], next: 'page+1/key==' },
      { data: pages[1], next: 'page+2/key==' },
      { data: pages[2] },
    ]);
    expect(server.requests.map((request) => Object.fromEntries(request.query))).toEqual([
      { code: '7203', from: '2026-11-01', to: '2026-11-26' },
      { code: '7203', from: '2026-11-01', to: '2026-11-26', pagination_key: 'page+1/key==' },
      { code: '7203', from: '2026-11-01', to: '2026-11-26', pagination_key: 'page+2/key==' },
    ]);
  });

  it('asks for the next page only when the caller pulls it', async () => {
    const server = await serve(paginated([rowsOf(1), rowsOf(1, 1)]));
    const pages = clientOf(server.baseUrl).pages(endpoint, { date: '2026-11-26' });
    expect(server.requests).toHaveLength(0);
    const first = await pages.next();
    expect(first.value).toMatchObject({ next: 'page+1/key==' });
    expect(server.requests).toHaveLength(1);
    const second = await pages.next();
    expect(second.value).toEqual({ data: rowsOf(1, 1) });
    expect(server.requests).toHaveLength(2);
    expect((await pages.next()).done).toBe(true);
  });

  it('stops when the pagination_key is an empty string', async () => {
    const server = await serve(paginated([rowsOf(1), rowsOf(1, 1)], { lastKey: '' }));
    const answer = await pagesOf(clientOf(server.baseUrl), { date: '2026-11-26' });
    expect(answer).toEqual([{ data: rowsOf(1), next: 'page+1/key==' }, { data: rowsOf(1, 1) }]);
  });

  it('awaits beforeRequest once per page, with the endpoint, before each request is sent', async () => {
    const server = await serve(paginated([rowsOf(1), rowsOf(1, 1), rowsOf(1, 2)]));
    const events: string[] = [];
    const beforeRequest = async (called: string): Promise<void> => {
      events.push(`before ${called} (sent so far: ${server.requests.length})`);
    };
    await pagesOf(clientOf(server.baseUrl), { date: '2026-11-26' }, { beforeRequest });
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
    await expect(pagesOf(clientOf(server.baseUrl), {}, { beforeRequest })).rejects.toBe(paused);
    expect(server.requests).toHaveLength(0);
  });

  it('decodes a gzip-encoded body', async () => {
    const server = await serve(() => ({ json: { data: rowsOf(2) }, gzip: true }));
    expect(await pagesOf(clientOf(server.baseUrl), { date: '2026-11-26' })).toEqual([{ data: rowsOf(2) }]);
  });

  it('treats 210 (no content, partial) to the first request as an empty last page', async () => {
    const server = await serve(() => ({ status: 210, text: '' }));
    const pages = await collectPages(clientOf(server.baseUrl).pages('/equities/bars/daily/am', {}));
    expect(pages).toEqual([{ data: [] }]);
  });

  it('fails as retryable, after yielding the pages before it, when a page request gets 210', async () => {
    const server = await serve((request) =>
      request.query.has('pagination_key')
        ? { status: 210, text: '' }
        : { json: { data: rowsOf(1), pagination_key: 'k1' } },
    );
    const pages = clientOf(server.baseUrl).pages(endpoint, { date: '2026-11-26' });
    expect((await pages.next()).value).toEqual({ data: rowsOf(1), next: 'k1' });
    const error = await upstreamFailureOf({ [Symbol.asyncIterator]: () => pages }, apiKey);
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error).toMatchObject({ status: 210, endpoint });
    expect(error.message).toContain('cut short');
  });

  it('gives up with a permanent error once the page cap is reached', async () => {
    const server = await serve((_request, index) => ({
      json: { data: rowsOf(1, index), pagination_key: `k${index}` },
    }));
    const error = await failureOf(clientOf(server.baseUrl, { maxPages: 3 }));
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error.message).toContain('3');
    expect(server.requests).toHaveLength(3);
  });

  it('fails permanently when the upstream repeats a pagination_key', async () => {
    const server = await serve(() => ({ json: { data: [], pagination_key: 'same' } }));
    const error = await failureOf(clientOf(server.baseUrl));
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(server.requests).toHaveLength(2);
  });
});

describe('JquantsClient resuming an answer', () => {
  const pages = [rowsOf(1), rowsOf(1, 1), rowsOf(1, 2)];

  it('sends resumeAt with the first request and continues the answer from there', async () => {
    const server = await serve(paginated(pages));
    const answer = await pagesOf(clientOf(server.baseUrl), { date: '2026-11-26' }, { resumeAt: 'page+1/key==' });
    expect(answer).toEqual([{ data: pages[1], next: 'page+2/key==' }, { data: pages[2] }]);
    expect(server.requests.map((request) => request.query.get('pagination_key'))).toEqual([
      'page+1/key==',
      'page+2/key==',
    ]);
  });

  it('starts again from the first page, once, when the upstream refuses resumeAt, marking that page restarted', async () => {
    const server = await serve(paginated(pages));
    const answer = await pagesOf(clientOf(server.baseUrl), { date: '2026-11-26' }, { resumeAt: 'expired' });
    expect(answer).toEqual([
      { data: pages[0], next: 'page+1/key==', restarted: true },
      { data: pages[1], next: 'page+2/key==' },
      { data: pages[2] },
    ]);
    expect(server.requests.map((request) => request.query.get('pagination_key'))).toEqual([
      'expired',
      null,
      'page+1/key==',
      'page+2/key==',
    ]);
  });

  it('fails permanently when the upstream refuses the answer again after starting over', async () => {
    const server = await serve(() => ({ status: 400, json: anErrorBody('Invalid pagination_key') }));
    const error = await failureOf(clientOf(server.baseUrl), { date: '2026-11-26' }, { resumeAt: 'expired' });
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error.status).toBe(400);
    expect(server.requests.map((request) => request.query.get('pagination_key'))).toEqual(['expired', null]);
  });

  it('does not start over when a page request of an answer it did not resume is refused', async () => {
    const server = await serve((request) =>
      request.query.has('pagination_key')
        ? { status: 400, json: anErrorBody('Invalid pagination_key') }
        : { json: { data: rowsOf(1), pagination_key: 'k1' } },
    );
    const error = await failureOf(clientOf(server.baseUrl), { date: '2026-11-26' });
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(server.requests).toHaveLength(2);
  });

  it('fails as retryable when the first request of a resumed answer gets 210', async () => {
    const server = await serve(() => ({ status: 210, text: '' }));
    const error = await failureOf(clientOf(server.baseUrl), { date: '2026-11-26' }, { resumeAt: 'page+1/key==' });
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error.message).toContain('cut short');
    expect(server.requests).toHaveLength(1);
  });
});

describe('JquantsClient status mapping', () => {
  it('turns 403 into a CredentialsError carrying the upstream message, endpoint and status', async () => {
    const server = await serve(() => ({
      status: 403,
      json: anErrorBody('The incoming api key is invalid or expired.'),
    }));
    const error = await failureOf(clientOf(server.baseUrl), { code: '72030' });
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error.message).toBe(`J-Quants ${endpoint} answered 403: The incoming api key is invalid or expired.`);
    expect(error).toMatchObject({ status: 403, endpoint });
    expect(error.message).not.toContain('72030');
  });

  it('treats 401 like 403', async () => {
    const server = await serve(() => ({ status: 401, json: anErrorBody('Unauthorized') }));
    expect(await failureOf(clientOf(server.baseUrl))).toBeInstanceOf(CredentialsError);
  });

  it('quotes the raw body, truncated to 300 characters, when an error body has no message', async () => {
    const server = await serve(() => ({ status: 403, text: `<html>${'x'.repeat(500)}</html>` }));
    const error = await failureOf(clientOf(server.baseUrl));
    expect(error.message).toContain('<html>xxx');
    expect(error.message.length).toBeLessThan(`J-Quants ${endpoint} answered 403: `.length + 302);
  });

  it('redacts the key when an error body echoes it', async () => {
    const server = await serve(() => ({ status: 403, json: anErrorBody(`api key ${apiKey} is invalid`) }));
    const error = await failureOf(clientOf(server.baseUrl));
    expect(error.message).toContain('api key [redacted] is invalid');
  });

  it('turns 400 into a PermanentUpstreamError with the upstream message, without trying again', async () => {
    const message = 'This API requires at least 1 parameter as follows; date, code';
    const server = await serve(() => ({ status: 400, json: anErrorBody(message) }));
    const error = await failureOf(clientOf(server.baseUrl));
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error.message).toContain(message);
    expect(error.status).toBe(400);
    expect(server.requests).toHaveLength(1);
  });

  it('turns 429 without Retry-After into a RateLimitedError with no retry hint', async () => {
    const server = await serve(() => ({ status: 429, json: anErrorBody('Rate limit exceeded') }));
    const error = await failureOf(clientOf(server.baseUrl));
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
    expect(await failureOf(clientOf(server.baseUrl))).toMatchObject({ retryAfterSeconds: 120 });
  });

  it.each([500, 502, 503, 504])('turns %i into a RetryableUpstreamError', async (status) => {
    const server = await serve(() => ({ status, text: 'upstream trouble' }));
    const error = await failureOf(clientOf(server.baseUrl));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error).toMatchObject({ status, endpoint });
  });

  it('turns an undocumented 404 into a PermanentUpstreamError', async () => {
    const server = await serve(() => ({ status: 404, json: anErrorBody('Not Found') }));
    const error = await upstreamFailureOf(clientOf(server.baseUrl).pages('/no/such/path', {}), apiKey);
    expect(error).toBeInstanceOf(PermanentUpstreamError);
  });

  it('retries a 200 whose body is not JSON', async () => {
    const server = await serve(() => ({ text: '{"data":[{"Code":"72030"' }));
    const error = await failureOf(clientOf(server.baseUrl));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error.message).toContain('not JSON');
  });

  it.each([
    ['an object without data', { rows: [] }],
    ['data that is not an array', { data: { Code: '72030' } }],
    ['a bare array', [aBarsDailyRow()]],
  ])('fails permanently on a 200 with %s', async (_case, json) => {
    const server = await serve(() => ({ json }));
    const error = await failureOf(clientOf(server.baseUrl));
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error.message).toContain('data array');
  });
});

describe('JquantsClient redirects', () => {
  it('refuses a redirect as permanent without sending anything, the key least of all, where it points', async () => {
    const elsewhere = await serve(() => ({ json: { data: rowsOf(1) } }));
    const location = `${elsewhere.baseUrl}${endpoint}?token=location-query-7d1e`;
    const server = await serve(() => ({ status: 302, headers: { location }, text: '' }));
    const error = await failureOf(clientOf(server.baseUrl), { date: '2026-11-26' });
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error).toMatchObject({ status: 302, endpoint });
    expect(error.message).toContain('redirects are refused');
    expect(error.message).not.toContain('location-query-7d1e');
    expect(server.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
  });
});

describe('JquantsClient body cap', () => {
  /** A JSON page of about 2 MB once decompressed; gzip makes it a few kilobytes on the wire. */
  const bombJson = { data: [], padding: '0'.repeat(2 * 1024 * 1024) };

  it('fails permanently, naming the endpoint and the cap, on a small gzip body that decompresses past the cap', async () => {
    const server = await serve(() => ({ json: bombJson, gzip: true }));
    const error = await failureOf(clientOf(server.baseUrl, { maxBodyBytes: 64 * 1024 }));
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error).toMatchObject({ status: 200, endpoint });
    expect(error.message).toContain(endpoint);
    expect(error.message).toContain('65536 bytes');
  });

  it('stops reading a body as soon as it passes the cap instead of waiting for its end', async () => {
    const server = await serve(() => ({ endlessGzip: true }));
    // Were the body read whole first, this fetch would end only at the timeout, as retryable.
    const error = await failureOf(clientOf(server.baseUrl, { maxBodyBytes: 256 * 1024, timeoutMs: 3_000 }));
    expect(error).toBeInstanceOf(PermanentUpstreamError);
    expect(error.message).toContain('262144 bytes');
  });

  it('reads a body right up to the cap', async () => {
    const text = JSON.stringify({ data: rowsOf(3) });
    const server = await serve(() => ({ text, gzip: true }));
    const pages = await pagesOf(clientOf(server.baseUrl, { maxBodyBytes: Buffer.byteLength(text) }));
    expect(pages).toEqual([{ data: rowsOf(3) }]);
  });

  it('still classifies an error status by its status when its body passes the cap', async () => {
    const server = await serve(() => ({ status: 503, json: bombJson, gzip: true }));
    const error = await failureOf(clientOf(server.baseUrl, { maxBodyBytes: 64 * 1024 }));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error.status).toBe(503);
  });
});

describe('JquantsClient transport failures', () => {
  it('turns a refused connection into a RetryableUpstreamError', async () => {
    const error = await failureOf(clientOf(await refusedBaseUrl()), { code: '72030' });
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error.status).toBeUndefined();
    expect(error.message).not.toContain('72030');
  });

  it('gives up on a server that does not answer within timeoutMs, as retryable', async () => {
    const server = await serve(() => ({ hang: true }));
    const error = await failureOf(clientOf(server.baseUrl, { timeoutMs: 50 }));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error.message).toContain('did not answer within 50 ms');
  });

  it('gives up on a body that stalls midway within timeoutMs, as retryable', async () => {
    const server = await serve(() => ({ json: { data: rowsOf(20) }, stallBody: true }));
    // Long enough for the headers to arrive even on a busy machine, so the body is what times out.
    const error = await failureOf(clientOf(server.baseUrl, { timeoutMs: 500 }));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error.status).toBe(200);
  });

  it('stops the request in flight when the caller aborts', async () => {
    const server = await serve(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = failureOf(clientOf(server.baseUrl), {}, { signal: controller.signal });
    await server.requestArrived();
    controller.abort(new Error('job deadline'));
    const error = await pending;
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(error.message).toContain('aborted by the caller');
  });

  it('sends nothing when the caller has already aborted', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const error = await failureOf(clientOf(server.baseUrl), {}, { signal: AbortSignal.abort() });
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('JquantsClient API key', () => {
  it('refuses to call with a blank key', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const error = await failureOf(clientOf(server.baseUrl, { apiKey: async () => '  ' }));
    expect(error).toBeInstanceOf(CredentialsError);
    expect(server.requests).toHaveLength(0);
  });

  it('reports a key that is not configured as a credentials error, with the reader’s words, sending nothing', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const apiKeyReader = async (): Promise<string> => {
      throw new MissingCredentialsError('the J-Quants API key secret is empty');
    };
    const error = await failureOf(clientOf(server.baseUrl, { apiKey: apiKeyReader }));
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error.message).toBe('the J-Quants API key secret is empty');
    expect(server.requests).toHaveLength(0);
  });

  it('reports a key that cannot be read for another reason as retryable', async () => {
    const server = await serve(() => ({ json: { data: [] } }));
    const apiKeyReader = async (): Promise<string> => {
      throw new Error('secrets manager unavailable');
    };
    const error = await failureOf(clientOf(server.baseUrl, { apiKey: apiKeyReader }));
    expect(error).toBeInstanceOf(RetryableUpstreamError);
    expect(server.requests).toHaveLength(0);
  });
});
