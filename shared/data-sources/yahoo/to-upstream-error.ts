import { BeforeRequestFailure, yahooChartEndpoint } from '#shared/data-sources/yahoo/yahoo-transport.ts';
import { PermanentUpstreamError, UpstreamError } from '#shared/ports/upstream-errors.ts';

const maxMessageLength = 300;

/** True for yahoo-finance2's schema mismatch, which a call without its validation may still get past. */
export function isYahooValidationFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'FailedYahooValidationError';
}

/**
 * Classifies what a yahoo-finance2 call threw. The transport already turned every HTTP and network failure into an
 * `UpstreamError`; a failing `beforeRequest` is the caller's own error and goes back unchanged. What remains comes
 * from an OK answer the library could not use — Yahoo's error JSON with status 200 (`BadRequestError` or a plain
 * `Error` with its description), unparsable JSON, a failed schema check — and retrying gets the same answer.
 */
export function toUpstreamError(error: unknown, symbol: string): unknown {
  if (error instanceof UpstreamError) return error;
  if (error instanceof BeforeRequestFailure) return error.cause;
  const message = error instanceof Error ? error.message : String(error);
  // Some library messages embed the whole answer ("Unexpected result: {…}").
  const shortened = message.length > maxMessageLength ? `${message.slice(0, maxMessageLength)}…` : message;
  return new PermanentUpstreamError(
    `Yahoo chart call for ${symbol} could not use the answer: ${shortened}`,
    { endpoint: yahooChartEndpoint },
    { cause: error },
  );
}
