import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import type { DataSourceId } from '#shared/domain/data-source.ts';

/**
 * DataSource: one upstream API (design §1).
 *
 * Guarantees:
 * - `fetchPages` yields the answer to one job's params page by page, in the upstream's order, and asks for the next
 *   page only when the caller pulls it: a caller that stores each page before pulling the next keeps every page it
 *   has, whatever fails later. Rows are normalised, without `fetchedAt` and `runId` (the worker stamps those), one
 *   per natural key within a page (a later page may repeat a key: the later row wins).
 * - A row that breaks the dataset's row schema is not yielded: it is reported in `rejected`, with the series it
 *   belongs to when that can be read, so that it fails only the job that asked for that series.
 * - It calls `beforeRequest` before every upstream request, pages included, so a shared rate limiter can pace it.
 * - Given `resumeAt` (a page's `next`), it continues the answer from that page; if the upstream refuses the position,
 *   it starts again from the first page, once, and says so on that page (`restarted`).
 * - A page that is not a whole answer (an error status, a partial-content status after the first page, a body cut
 *   short) is never yielded as one: the fetch fails instead.
 * - It fails only with the `UpstreamError` classes (`upstream-errors.ts`), never with a raw HTTP or parse error.
 * - Credentials never appear in errors, logs or results.
 */
export interface DataSource {
  readonly id: DataSourceId;
  /** Fetches one job's data, one page per step. */
  fetchPages(
    dataset: DatasetDefinition,
    params: Readonly<Record<string, unknown>>,
    context: FetchContext,
  ): AsyncIterable<FetchedPage>;
  /** Makes the cheapest real call that proves the credentials work, and says exactly what is wrong if not. */
  validateCredentials(context?: FetchContext): Promise<CredentialsCheck>;
}

/** What a fetch may be told by its caller. */
export interface FetchContext {
  /** Aborts every request of the fetch (the job's deadline). */
  readonly signal?: AbortSignal;
  /** Awaited before each upstream request with the endpoint about to be called (the token bucket waits here). */
  readonly beforeRequest?: (endpoint: string) => Promise<void>;
  /** Continue a paginated answer at this position: the `next` of the last page an earlier fetch stored. */
  readonly resumeAt?: string;
}

/** One page of an answer. */
export interface FetchedPage {
  /** The page's normalised rows. */
  readonly rows: Record<string, unknown>[];
  /** Rows of the page that broke the dataset's row schema. */
  readonly rejected: readonly RejectedRow[];
  /** Where the answer continues; absent on its last page. Opaque, and valid only for the same params. */
  readonly next?: string;
  /** This page starts the answer again from the beginning, because the upstream refused `resumeAt`. */
  readonly restarted?: boolean;
}

/** A row the upstream sent that is not a valid row of the dataset. */
export interface RejectedRow {
  /** The row's series (issue code, symbol…) as the dataset's row layout names it, when it could be read. */
  readonly series?: string;
  /** What is wrong with it, naming the field; never the upstream's whole row. */
  readonly reason: string;
}

/** The outcome of a credentials check. */
export type CredentialsCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export type { EndpointRateLimit } from '#shared/domain/data-source-settings.ts';
