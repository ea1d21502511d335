import { type JquantsPage, readJquantsAnswer, redact } from '#shared/data-sources/jquants/jquants-response.ts';
import type { FetchContext } from '#shared/ports/data-source.ts';
import { CredentialsError, PermanentUpstreamError, RetryableUpstreamError } from '#shared/ports/upstream-errors.ts';
import packageJson from '../../../package.json' with { type: 'json' };

/** J-Quants API V2 (jquants-v2.md §1). */
export const defaultJquantsBaseUrl = 'https://api.jquants.com/v2';

/** What a JquantsClient is built from. */
export interface JquantsClientOptions {
  /** Reads the API key (Secrets Manager, `JQUANTS_API_KEY`); called once per `getAll`, so a re-issued key is used. */
  readonly apiKey: () => Promise<string>;
  /** @default 'https://api.jquants.com/v2' (the caller passes `JQUANTS_BASE_URL` when set) */
  readonly baseUrl?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Per request, from sending it to the last byte of its body. @default 30_000 */
  readonly timeoutMs?: number;
  /** @default 'moomoo-markets/<package version>' */
  readonly userAgent?: string;
  /** Pages followed before giving up on an answer that never ends. @default 1000 */
  readonly maxPages?: number;
}

/** Every row of an answer, all pages followed, and the HTTP requests it took. */
export interface JquantsRows {
  readonly rows: unknown[];
  readonly requests: number;
}

/** Query params of a J-Quants call, by their upstream names (`code`, `date`, `from`, `hol_div`). */
export type JquantsQuery = Readonly<Record<string, string>>;

/** Header values are visible ASCII; anything else (a pasted newline, a stray quote) would be refused by fetch. */
const headerSafeKey = /^[\x21-\x7e]+$/;

/**
 * A small J-Quants API V2 client on `fetch`: sends the key in `x-api-key`, follows `pagination_key` and fails only
 * with the UpstreamError classes. It never logs, and the key never appears in a message, a cause or a URL.
 */
export class JquantsClient {
  readonly #apiKey: () => Promise<string>;
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #maxPages: number;

  constructor(options: JquantsClientOptions) {
    this.#apiKey = options.apiKey;
    this.#baseUrl = (options.baseUrl ?? defaultJquantsBaseUrl).replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#userAgent = options.userAgent ?? `moomoo-markets/${packageJson.version}`;
    this.#maxPages = options.maxPages ?? 1000;
  }

  /**
   * Every row of `endpoint` for `params`: resends the same query plus each `pagination_key` until the upstream sends
   * none (or `""`), awaiting `context.beforeRequest` before every request. Errors thrown by `beforeRequest` itself
   * (the caller's rate limiter) pass through unchanged.
   */
  async getAll(endpoint: string, params: JquantsQuery, context: FetchContext = {}): Promise<JquantsRows> {
    const apiKey = await this.#readApiKey(endpoint);
    const rows: unknown[] = [];
    const seenKeys = new Set<string>();
    let paginationKey: string | undefined;
    let requests = 0;
    do {
      if (requests >= this.#maxPages) {
        throw new PermanentUpstreamError(
          `J-Quants ${endpoint} still had more pages after ${this.#maxPages} requests; gave up`,
          { endpoint },
        );
      }
      const query = new URLSearchParams(params);
      if (paginationKey !== undefined) query.set('pagination_key', paginationKey);
      throwIfAborted(endpoint, context.signal);
      await context.beforeRequest?.(endpoint);
      throwIfAborted(endpoint, context.signal);
      requests += 1;
      const page = await this.#getPage(endpoint, query, apiKey, context.signal);
      for (const row of page.data) rows.push(row);
      paginationKey = page.paginationKey;
      if (paginationKey !== undefined) {
        // The key changes every page (jquants-v2.md §4); a repeat would loop until the page cap.
        if (seenKeys.has(paginationKey)) {
          throw new PermanentUpstreamError(`J-Quants ${endpoint} sent the same pagination_key twice`, { endpoint });
        }
        seenKeys.add(paginationKey);
      }
    } while (paginationKey !== undefined);
    return { rows, requests };
  }

  async #readApiKey(endpoint: string): Promise<string> {
    let apiKey: string;
    try {
      apiKey = (await this.#apiKey()).trim();
    } catch (error) {
      throw new RetryableUpstreamError('could not read the J-Quants API key', { endpoint }, { cause: error });
    }
    if (apiKey === '') throw new CredentialsError('no J-Quants API key is configured', { endpoint });
    if (!headerSafeKey.test(apiKey)) {
      throw new CredentialsError('the J-Quants API key holds characters an HTTP header cannot carry', { endpoint });
    }
    return apiKey;
  }

  async #getPage(
    endpoint: string,
    query: URLSearchParams,
    apiKey: string,
    callerSignal: AbortSignal | undefined,
  ): Promise<JquantsPage> {
    const search = query.toString();
    const url = `${this.#baseUrl}${endpoint}${search === '' ? '' : `?${search}`}`;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    const signal = callerSignal === undefined ? timeout.signal : AbortSignal.any([timeout.signal, callerSignal]);
    let status: number | undefined;
    let retryAfter: string | null = null;
    let body: string;
    try {
      const response = await this.#fetch(url, {
        headers: {
          'x-api-key': apiKey,
          'accept-encoding': 'gzip',
          accept: 'application/json',
          'user-agent': this.#userAgent,
        },
        signal,
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      // The timeout covers the body too: a server that stalls mid-page must not hold the job until its deadline.
      body = await response.text();
    } catch (error) {
      const details = { status, endpoint };
      if (timeout.signal.aborted) {
        const message = `J-Quants ${endpoint} did not answer within ${this.#timeoutMs} ms`;
        throw new RetryableUpstreamError(message, details, { cause: error });
      }
      if (callerSignal?.aborted === true) {
        const message = `J-Quants ${endpoint} request was aborted by the caller`;
        throw new RetryableUpstreamError(message, details, { cause: callerSignal.reason });
      }
      const message = `J-Quants ${endpoint} request failed: ${redact(describeNetworkError(error), apiKey)}`;
      throw new RetryableUpstreamError(message, details, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    return readJquantsAnswer({ endpoint, status, body, retryAfter, apiKey });
  }
}

function throwIfAborted(endpoint: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    const message = `J-Quants ${endpoint} request was aborted by the caller`;
    throw new RetryableUpstreamError(message, { endpoint }, { cause: signal.reason });
  }
}

/** undici reports `fetch failed` and hides the reason (ECONNREFUSED, ECONNRESET, …) in `cause`. */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return `${error.message} (${cause.code})`;
  }
  return error.message;
}
