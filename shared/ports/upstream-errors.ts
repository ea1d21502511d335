import { MoomooError } from '#shared/domain/errors.ts';

/**
 * Errors of an upstream API, classified by what happens next (style §5):
 * - `RetryableUpstreamError` (5xx, network, timeout): the job is retried with backoff while attempts remain.
 * - `PermanentUpstreamError` (400, a response that breaks its schema): the job fails at once.
 * - `CredentialsError` (403, 401, no key configured): the job fails at once and the data source is marked as failing
 *   its check.
 * - `RateLimitedError` (429): the data source pauses and the job is deferred without spending an attempt.
 */
export abstract class UpstreamError extends MoomooError {
  /** HTTP status, when the upstream answered. */
  readonly status: number | undefined;
  /** The upstream path called, e.g. `/equities/bars/daily` (never with the key or the full query). */
  readonly endpoint: string;

  constructor(message: string, details: { status?: number | undefined; endpoint: string }, options?: ErrorOptions) {
    super(message, options);
    this.status = details.status;
    this.endpoint = details.endpoint;
  }
}

export class RetryableUpstreamError extends UpstreamError {
  readonly code = 'upstream_unavailable';
  override readonly name = 'RetryableUpstreamError';
}

export class PermanentUpstreamError extends UpstreamError {
  readonly code = 'upstream_rejected';
  override readonly name = 'PermanentUpstreamError';
}

export class CredentialsError extends UpstreamError {
  readonly code = 'upstream_credentials';
  override readonly name = 'CredentialsError';
}

export class RateLimitedError extends UpstreamError {
  readonly code = 'upstream_rate_limited';
  override readonly name = 'RateLimitedError';
  /** The upstream's Retry-After, when it sent one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    message: string,
    details: { status?: number | undefined; endpoint: string; retryAfterSeconds?: number | undefined },
    options?: ErrorOptions,
  ) {
    super(message, details, options);
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/**
 * Thrown by a credentials reader (the J-Quants key from the environment or Secrets Manager) when no usable credentials
 * are configured: none named, an empty secret, a secret without a value yet. Waiting does not fix that, so a data
 * source reports it as a `CredentialsError`; any other failure to read the credentials (Secrets Manager unreachable,
 * throttled) is transient and reported as retryable.
 */
export class MissingCredentialsError extends MoomooError {
  readonly code = 'credentials_missing';
  override readonly name = 'MissingCredentialsError';
}
