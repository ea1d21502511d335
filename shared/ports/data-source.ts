import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import type { DataSourceId } from '#shared/domain/data-source.ts';

/**
 * DataSource: one upstream API (design §1).
 *
 * Guarantees:
 * - `fetch` returns every normalised row of the params' answer — all pages followed — without `fetchedAt` and
 *   `runId` (the worker stamps those), and counts the HTTP requests it made.
 * - It calls `beforeRequest` before every upstream request, pages included, so a shared rate limiter can pace it.
 * - It fails only with the `UpstreamError` classes (`upstream-errors.ts`), never with a raw HTTP or parse error.
 * - Credentials never appear in errors, logs or results.
 */
export interface DataSource {
  readonly id: DataSourceId;
  /** Fetches one job's data. */
  fetch(
    dataset: DatasetDefinition,
    params: Readonly<Record<string, unknown>>,
    context: FetchContext,
  ): Promise<FetchResult>;
  /** Makes the cheapest real call that proves the credentials work, and says exactly what is wrong if not. */
  validateCredentials(context?: FetchContext): Promise<CredentialsCheck>;
}

/** What a fetch may be told by its caller. */
export interface FetchContext {
  /** Aborts every request of the fetch (the job's deadline). */
  readonly signal?: AbortSignal;
  /** Awaited before each upstream request with the endpoint about to be called (the token bucket waits here). */
  readonly beforeRequest?: (endpoint: string) => Promise<void>;
}

/** Rows of one fetch and the upstream requests it took. */
export interface FetchResult {
  readonly rows: Record<string, unknown>[];
  readonly upstreamRequests: number;
}

/** The outcome of a credentials check. */
export type CredentialsCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export type { EndpointRateLimit } from '#shared/domain/data-source-settings.ts';
