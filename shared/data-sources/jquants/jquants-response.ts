import {
  CredentialsError,
  PermanentUpstreamError,
  RateLimitedError,
  RetryableUpstreamError,
  type UpstreamError,
} from '#shared/ports/upstream-errors.ts';

/**
 * Reading one J-Quants answer (jquants-v2.md §4 "Status codes"): 200 is a page; 210 to the first request of an answer
 * is an empty last page, but to a page request it means the answer was cut short; every other status is an
 * UpstreamError classified by what happens next. Messages name the endpoint and the status, never the key or the
 * query; upstream text is truncated and has the key redacted in case it is ever echoed.
 */

/** One page of an answer: its rows and the key of the next page, if any. */
export interface JquantsPage {
  readonly data: readonly unknown[];
  /** Absent (or `""` upstream) on the last page. */
  readonly paginationKey: string | undefined;
}

/** What `readJquantsAnswer` needs of an HTTP response, its body already read. */
export interface JquantsAnswer {
  readonly endpoint: string;
  readonly status: number;
  readonly body: string;
  readonly retryAfter: string | null;
  /** The request carried a `pagination_key`: it asked for a page after the first (or resumed an answer). */
  readonly carriedPaginationKey: boolean;
  /** Redacted from any upstream text that ends up in a message. */
  readonly apiKey: string;
}

/** Longest upstream text quoted in an error message. */
export const maxQuotedChars = 300;

/** The page of a 200 or a first 210 answer; throws the UpstreamError of any other status or of a broken 200 body. */
export function readJquantsAnswer(answer: JquantsAnswer): JquantsPage {
  const { endpoint, status } = answer;
  if (status === 210 && answer.carriedPaginationKey) {
    // Taken for an empty last page, it would end the answer early and a partial snapshot would pass for a whole one.
    const message = `J-Quants ${endpoint} answered 210 (partial content) to a page request: the answer was cut short`;
    throw new RetryableUpstreamError(message, details(answer));
  }
  if (status === 210) return { data: [], paginationKey: undefined };
  if (status !== 200) throw errorOfStatus(answer);
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch (error) {
    // A body cut short by a proxy or a dropped connection: another try usually reads it whole.
    throw new RetryableUpstreamError(
      `J-Quants ${endpoint} answered 200 with a body that is not JSON`,
      details(answer),
      {
        cause: error,
      },
    );
  }
  if (typeof body !== 'object' || body === null || !('data' in body) || !Array.isArray(body.data)) {
    throw new PermanentUpstreamError(`J-Quants ${endpoint} answered 200 without a data array`, details(answer));
  }
  const key = 'pagination_key' in body ? body.pagination_key : undefined;
  if (key !== undefined && key !== null && typeof key !== 'string') {
    const message = `J-Quants ${endpoint} answered 200 with a pagination_key that is not a string`;
    throw new PermanentUpstreamError(message, details(answer));
  }
  return { data: body.data, paginationKey: typeof key === 'string' && key !== '' ? key : undefined };
}

function errorOfStatus(answer: JquantsAnswer): UpstreamError {
  const { endpoint, status } = answer;
  const said = `J-Quants ${endpoint} answered ${status}`;
  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(answer.retryAfter);
    return new RateLimitedError(`${said} (rate limited)`, { ...details(answer), retryAfterSeconds });
  }
  const message = `${said}: ${upstreamMessage(answer)}`;
  // J-Quants answers 403 for a bad key and for data outside the plan; 401 is undocumented and means the same.
  if (status === 401 || status === 403) return new CredentialsError(message, details(answer));
  if (status >= 500 || status === 408) return new RetryableUpstreamError(message, details(answer));
  return new PermanentUpstreamError(message, details(answer));
}

function details(answer: JquantsAnswer): { status: number; endpoint: string } {
  return { status: answer.status, endpoint: answer.endpoint };
}

/** The body's `message` when it is JSON with one, else the raw text; truncated, key redacted. */
function upstreamMessage(answer: JquantsAnswer): string {
  const text = answer.body.trim();
  let message = text;
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') {
      message = body.message.trim() || text;
    }
  } catch {
    // Not JSON (an HTML error page, a gateway's plain text): the raw text is the message.
  }
  if (message === '') return '(empty body)';
  return truncate(redact(message, answer.apiKey));
}

/** `text` with every occurrence of `secret` replaced, so an echoed key never reaches a message or a log. */
export function redact(text: string, secret: string): string {
  return secret === '' ? text : text.replaceAll(secret, '[redacted]');
}

function truncate(text: string): string {
  return text.length > maxQuotedChars ? `${text.slice(0, maxQuotedChars)}…` : text;
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); J-Quants sends none today. */
function parseRetryAfter(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
