import type { JquantsPage } from '#shared/data-sources/jquants/jquants-response.ts';
import { type JquantsTransport, requestJquantsPage } from '#shared/data-sources/jquants/request-jquants-page.ts';
import { defaultMaxBodyBytes } from '#shared/data-sources/read-capped-body.ts';
import type { FetchContext } from '#shared/ports/data-source.ts';
import {
  CredentialsError,
  MissingCredentialsError,
  PermanentUpstreamError,
  RetryableUpstreamError,
} from '#shared/ports/upstream-errors.ts';
import packageJson from '../../../package.json' with { type: 'json' };

/** J-Quants API V2 (jquants-v2.md §1). */
export const defaultJquantsBaseUrl = 'https://api.jquants.com/v2';

/** What a JquantsClient is built from. */
export interface JquantsClientOptions {
  /**
   * Reads the API key (Secrets Manager, `JQUANTS_API_KEY`); called once per answer, so a re-issued key is used. It
   * throws `MissingCredentialsError` when no key is configured; any other failure is taken as transient.
   */
  readonly apiKey: () => Promise<string>;
  /** @default 'https://api.jquants.com/v2' (the caller passes `JQUANTS_BASE_URL` when set) */
  readonly baseUrl?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Per request, from sending it to the last byte of its body. @default 30_000 */
  readonly timeoutMs?: number;
  /** @default 'moomoo-markets/<package version>' */
  readonly userAgent?: string;
  /** Requests made for one answer before giving up on an answer that never ends. @default 1000 */
  readonly maxPages?: number;
  /** Largest response body read, in bytes after gzip decoding (J-Quants splits pages at ~5 MB). @default 32 MiB */
  readonly maxBodyBytes?: number;
}

/** Query params of a J-Quants call, by their upstream names (`code`, `date`, `from`, `hol_div`). */
export type JquantsQuery = Readonly<Record<string, string>>;

/** One page of an answer, its rows as the upstream sent them. */
export interface JquantsRawPage {
  readonly data: readonly unknown[];
  /** The page's `pagination_key`: where the answer continues. Absent on the last page. */
  readonly next?: string;
  /** The upstream refused `resumeAt`, so the answer starts again from its first page: this one. */
  readonly restarted?: boolean;
}

/** Header values are visible ASCII; anything else (a pasted newline, a stray quote) would be refused by fetch. */
const headerSafeKey = /^[\x21-\x7e]+$/;

/**
 * A small J-Quants API V2 client on `fetch`: sends the key in `x-api-key`, follows `pagination_key` one page at a
 * time and fails only with the UpstreamError classes. It never logs, and the key never appears in a message, a cause
 * or a URL.
 */
export class JquantsClient {
  readonly #apiKey: () => Promise<string>;
  readonly #baseUrl: string;
  readonly #transport: JquantsTransport;
  readonly #maxPages: number;

  constructor(options: JquantsClientOptions) {
    this.#apiKey = options.apiKey;
    this.#baseUrl = (options.baseUrl ?? defaultJquantsBaseUrl).replace(/\/+$/, '');
    this.#transport = {
      fetch: options.fetch ?? globalThis.fetch,
      timeoutMs: options.timeoutMs ?? 30_000,
      userAgent: options.userAgent ?? `moomoo-markets/${packageJson.version}`,
      maxBodyBytes: options.maxBodyBytes ?? defaultMaxBodyBytes,
    };
    this.#maxPages = options.maxPages ?? 1000;
  }

  /**
   * The pages of `endpoint`'s answer for `params`, each requested only when the caller pulls it: the same query plus
   * the previous page's `pagination_key`, until the upstream sends none (or `""`). `context.beforeRequest` is awaited
   * before every request, and what it throws (the caller's rate limiter) passes through unchanged.
   *
   * With `context.resumeAt`, the first request carries that key. If the upstream refuses it (400), the answer starts
   * again from its first page, once, and that page says `restarted`.
   */
  async *pages(endpoint: string, params: JquantsQuery, context: FetchContext = {}): AsyncGenerator<JquantsRawPage> {
    const apiKey = await this.#readApiKey(endpoint);
    let paginationKey = context.resumeAt === '' ? undefined : context.resumeAt;
    let resuming = paginationKey !== undefined;
    let restarted = false;
    // The key changes every page (jquants-v2.md §4); a repeat would loop until the page cap.
    let seenKeys = new Set(paginationKey === undefined ? [] : [paginationKey]);
    let requests = 0;
    for (;;) {
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
      const search = query.toString();
      let page: JquantsPage;
      try {
        page = await requestJquantsPage(this.#transport, {
          endpoint,
          url: `${this.#baseUrl}${endpoint}${search === '' ? '' : `?${search}`}`,
          apiKey,
          carriedPaginationKey: paginationKey !== undefined,
          signal: context.signal,
        });
      } catch (error) {
        if (!(resuming && isRefusal(error))) throw error;
        // The stored position expired or does not fit the query: start the answer again, without any key.
        resuming = false;
        restarted = true;
        paginationKey = undefined;
        seenKeys = new Set();
        continue;
      }
      resuming = false;
      paginationKey = page.paginationKey;
      if (paginationKey !== undefined) {
        if (seenKeys.has(paginationKey)) {
          throw new PermanentUpstreamError(`J-Quants ${endpoint} sent the same pagination_key twice`, { endpoint });
        }
        seenKeys.add(paginationKey);
      }
      yield {
        data: page.data,
        ...(paginationKey === undefined ? {} : { next: paginationKey }),
        ...(restarted ? { restarted } : {}),
      };
      restarted = false;
      if (paginationKey === undefined) return;
    }
  }

  async #readApiKey(endpoint: string): Promise<string> {
    let apiKey: string;
    try {
      apiKey = (await this.#apiKey()).trim();
    } catch (error) {
      if (error instanceof MissingCredentialsError) {
        throw new CredentialsError(error.message, { endpoint }, { cause: error });
      }
      throw new RetryableUpstreamError('could not read the J-Quants API key', { endpoint }, { cause: error });
    }
    if (apiKey === '') throw new CredentialsError('no J-Quants API key is configured', { endpoint });
    if (!headerSafeKey.test(apiKey)) {
      throw new CredentialsError('the J-Quants API key holds characters an HTTP header cannot carry', { endpoint });
    }
    return apiKey;
  }
}

/** J-Quants answers 400 for a pagination_key it does not know (expired, or from another query). */
function isRefusal(error: unknown): boolean {
  return error instanceof PermanentUpstreamError && error.status === 400;
}

function throwIfAborted(endpoint: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    const message = `J-Quants ${endpoint} request was aborted by the caller`;
    throw new RetryableUpstreamError(message, { endpoint }, { cause: signal.reason });
  }
}
