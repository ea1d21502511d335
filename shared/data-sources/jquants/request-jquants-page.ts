import { type JquantsPage, readJquantsAnswer, redact } from '#shared/data-sources/jquants/jquants-response.ts';
import { type CappedBody, readCappedBody } from '#shared/data-sources/read-capped-body.ts';
import { PermanentUpstreamError, RetryableUpstreamError } from '#shared/ports/upstream-errors.ts';

/** How a client sends its requests; the same for every request of the client. */
export interface JquantsTransport {
  readonly fetch: typeof fetch;
  /** Per request, from sending it to the last byte of its body. */
  readonly timeoutMs: number;
  readonly userAgent: string;
  /** Largest body read, counted after gzip decoding. */
  readonly maxBodyBytes: number;
}

/** One HTTP request of an answer. */
export interface JquantsPageRequest {
  /** The upstream path, which errors name (never the URL: its query is the job's). */
  readonly endpoint: string;
  readonly url: string;
  readonly apiKey: string;
  /** The query holds a `pagination_key`. */
  readonly carriedPaginationKey: boolean;
  /** The caller's signal (the job's deadline). */
  readonly signal: AbortSignal | undefined;
}

/**
 * Sends one request and reads its page, failing only with the UpstreamError classes: a redirect is refused (the key
 * would follow it to wherever it points), a body over the cap is refused after reading no more than the cap, and
 * the timeout covers the body, so a server that stalls mid-page does not hold the job until its deadline.
 */
export async function requestJquantsPage(
  transport: JquantsTransport,
  request: JquantsPageRequest,
): Promise<JquantsPage> {
  const { endpoint, apiKey, signal: callerSignal } = request;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), transport.timeoutMs);
  const signal = callerSignal === undefined ? timeout.signal : AbortSignal.any([timeout.signal, callerSignal]);
  let status: number | undefined;
  let retryAfter: string | null = null;
  let body: CappedBody;
  try {
    const response = await transport.fetch(request.url, {
      headers: {
        'x-api-key': apiKey,
        'accept-encoding': 'gzip',
        accept: 'application/json',
        'user-agent': transport.userAgent,
      },
      redirect: 'manual',
      signal,
    });
    status = response.status;
    if (isRedirect(response)) {
      await response.body?.cancel().catch(() => undefined);
      // The Location is not quoted: its query could be anything, the key included.
      const message = `J-Quants ${endpoint} answered ${status} (a redirect): redirects are refused so the key stays with J-Quants`;
      throw new PermanentUpstreamError(message, { status, endpoint });
    }
    retryAfter = response.headers.get('retry-after');
    body = await readCappedBody(response, transport.maxBodyBytes);
  } catch (error) {
    // The refusal of a redirect, thrown above: not a failure to reach J-Quants.
    if (error instanceof PermanentUpstreamError) throw error;
    const details = { status, endpoint };
    if (timeout.signal.aborted) {
      const message = `J-Quants ${endpoint} did not answer within ${transport.timeoutMs} ms`;
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
  // An error status is classified by its status; only the start of its body is quoted anyway.
  if (!body.complete && status >= 200 && status < 300) {
    const message = `J-Quants ${endpoint} sent a body larger than ${transport.maxBodyBytes} bytes once decompressed; stopped reading it`;
    throw new PermanentUpstreamError(message, { status, endpoint });
  }
  return readJquantsAnswer({
    endpoint,
    status,
    body: body.text,
    retryAfter,
    carriedPaginationKey: request.carriedPaginationKey,
    apiKey,
  });
}

/** A 3xx, or what a fetch that follows the spec to the letter returns for one under `redirect: 'manual'`. */
function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);
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
