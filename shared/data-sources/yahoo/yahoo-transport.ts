import { type CappedBody, readCappedBody } from '#shared/data-sources/read-capped-body.ts';
import type { FetchContext } from '#shared/ports/data-source.ts';
import {
  PermanentUpstreamError,
  RateLimitedError,
  RetryableUpstreamError,
  type UpstreamError,
} from '#shared/ports/upstream-errors.ts';

/** The chart endpoint as the rate limiter and our errors name it (never with a symbol or query). */
export const yahooChartEndpoint = '/v8/finance/chart';

const yahooQueryHosts = new Set(['query1.finance.yahoo.com', 'query2.finance.yahoo.com']);
const maxDetailLength = 200;

/** What one data-source call hands to its transport. */
export interface YahooTransportOptions {
  readonly baseFetch: typeof fetch;
  /** Replaces `https://query1|query2.finance.yahoo.com`, keeping path and query. */
  readonly baseUrl: string | undefined;
  readonly timeoutMs: number;
  /** Largest body read, counted after decompression. */
  readonly maxBodyBytes: number;
  readonly context: FetchContext;
  /** Names the call in error messages. */
  readonly symbol: string;
  /** Turns a `Retry-After` date into seconds. */
  readonly now: () => Date;
}

/**
 * The `fetch` yahoo-finance2 gets for one call: paced by `beforeRequest`, bounded by the timeout and the caller's
 * signal, redirected to `baseUrl`. It reads the body itself, so the timeout covers it and no more than
 * `maxBodyBytes` of it (decompressed) is ever read, and throws an `UpstreamError` for every failure, so the library
 * never sees a non-OK answer (it would `console.error` the URL and lose the status on a JSON error body).
 */
export function createYahooTransport(options: YahooTransportOptions): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const { context, timeoutMs, symbol } = options;
    throwIfAborted(context.signal, symbol);
    try {
      await context.beforeRequest?.(yahooChartEndpoint);
    } catch (error) {
      throw new BeforeRequestFailure(error);
    }
    throwIfAborted(context.signal, symbol);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [timeout, context.signal, init?.signal ?? undefined].filter((signal) => signal !== undefined);
    const url = rewriteUrl(input instanceof Request ? input.url : String(input), options.baseUrl);
    let response: Response;
    let body: CappedBody;
    try {
      response = await options.baseFetch(url, { ...init, signal: AbortSignal.any(signals) });
      body = await readCappedBody(response, options.maxBodyBytes);
    } catch (error) {
      const reason = timeout.aborted
        ? `timed out after ${timeoutMs} ms`
        : context.signal?.aborted === true
          ? 'was aborted'
          : `failed: ${describeCause(error)}`;
      throw new RetryableUpstreamError(
        `Yahoo chart request for ${symbol} ${reason}`,
        { endpoint: yahooChartEndpoint },
        {
          cause: error,
        },
      );
    }
    // An error status is classified by its status; only the start of its body is quoted anyway.
    if (!response.ok) throw statusError(response, body.text, options);
    if (!body.complete) {
      const message = `Yahoo ${yahooChartEndpoint} for ${symbol} sent a body larger than ${options.maxBodyBytes} bytes once decompressed; stopped reading it`;
      throw new PermanentUpstreamError(message, { status: response.status, endpoint: yahooChartEndpoint });
    }
    return new Response(body.text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/**
 * Carries an error of the caller's `beforeRequest` (the rate limiter) through yahoo-finance2, so the data source
 * rethrows it unchanged instead of blaming Yahoo for it.
 */
export class BeforeRequestFailure extends Error {
  override readonly name = 'BeforeRequestFailure';

  constructor(cause: unknown) {
    super('beforeRequest failed', { cause });
  }
}

function throwIfAborted(signal: AbortSignal | undefined, symbol: string): void {
  if (signal?.aborted !== true) return;
  throw new RetryableUpstreamError(
    `Yahoo chart request for ${symbol} was aborted before it started`,
    { endpoint: yahooChartEndpoint },
    { cause: signal.reason },
  );
}

function rewriteUrl(url: string, baseUrl: string | undefined): string {
  if (baseUrl === undefined) return url;
  const parsed = new URL(url);
  if (!yahooQueryHosts.has(parsed.hostname)) return url;
  return `${baseUrl.replace(/\/+$/, '')}${parsed.pathname}${parsed.search}`;
}

function statusError(response: Response, body: string, options: YahooTransportOptions): UpstreamError {
  const { status } = response;
  const details = { status, endpoint: yahooChartEndpoint };
  const detail = describeBody(body) ?? response.statusText;
  const message = `Yahoo chart for ${options.symbol} answered ${status}: ${detail}`;
  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), options.now());
    return new RateLimitedError(message, { ...details, retryAfterSeconds });
  }
  if (status === 408 || status >= 500) return new RetryableUpstreamError(message, details);
  return new PermanentUpstreamError(message, details);
}

/** Yahoo's `{chart:{error:{description}}}` when it sent one, else the start of the text. */
function describeBody(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const description = findErrorDescription(parsed);
    if (description !== undefined) return description;
  } catch {
    // Not JSON: throttling and edge errors come as plain text or HTML.
  }
  const text = body.replace(/\s+/g, ' ').trim();
  if (text === '') return undefined;
  return text.length > maxDetailLength ? `${text.slice(0, maxDetailLength)}…` : text;
}

function findErrorDescription(parsed: unknown): string | undefined {
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  for (const value of Object.values(parsed)) {
    if (typeof value !== 'object' || value === null || !('error' in value)) continue;
    const { error } = value;
    if (typeof error !== 'object' || error === null) continue;
    if ('description' in error && typeof error.description === 'string') return error.description;
    if ('code' in error && typeof error.code === 'string') return error.code;
  }
  return undefined;
}

function parseRetryAfter(header: string | null, now: Date): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { cause } = error;
  // undici reports "fetch failed" and hides the socket error (ECONNREFUSED, ECONNRESET) in `cause`.
  if (cause instanceof Error) {
    const code = 'code' in cause && typeof cause.code === 'string' ? ` (${cause.code})` : '';
    return `${error.message}: ${cause.message}${code}`;
  }
  return error.message;
}
