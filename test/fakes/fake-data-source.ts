import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import type { DataSourceId } from '#shared/domain/data-source.ts';
import type {
  CredentialsCheck,
  DataSource,
  FetchContext,
  FetchedPage,
  RejectedRow,
} from '#shared/ports/data-source.ts';

/**
 * A scripted data source. Each fetch answers `rowsFor(params)` split into `pagesPerFetch` pages (page positions are
 * `page-<n>`, so a resumed fetch starts at page n), reports `rejectedFor(params)` on the first page, or throws what
 * `failWith` says before the page it names. It records every call, every page request and every credentials check.
 */
export class FakeDataSource implements DataSource {
  readonly id: DataSourceId;
  readonly calls: { dataset: string; params: Readonly<Record<string, unknown>>; resumeAt?: string }[] = [];
  /** Every page requested, as `<params JSON>@<page index>`. */
  readonly pageRequests: string[] = [];
  rowsFor: (params: Readonly<Record<string, unknown>>) => Record<string, unknown>[] = () => [];
  rejectedFor: (params: Readonly<Record<string, unknown>>) => RejectedRow[] = () => [];
  /** Throws the returned error instead of answering page `page` (0-based) of a fetch. */
  failWith: ((params: Readonly<Record<string, unknown>>, page: number) => Error | undefined) | undefined;
  pagesPerFetch = 1;
  /** Credential checks that reached the upstream (after their request slot). */
  credentialChecks = 0;

  constructor(id: DataSourceId = 'jquants') {
    this.id = id;
  }

  async *fetchPages(
    dataset: DatasetDefinition,
    params: Readonly<Record<string, unknown>>,
    context: FetchContext,
  ): AsyncIterable<FetchedPage> {
    this.calls.push({
      dataset: dataset.id,
      params,
      ...(context.resumeAt === undefined ? {} : { resumeAt: context.resumeAt }),
    });
    const rows = this.rowsFor(params);
    const pages = Math.max(1, this.pagesPerFetch);
    const perPage = Math.ceil(rows.length / pages);
    const first = context.resumeAt === undefined ? 0 : Number(context.resumeAt.replace('page-', ''));
    for (let page = first; page < pages; page++) {
      await context.beforeRequest?.(dataset.endpoint);
      this.pageRequests.push(`${JSON.stringify(params)}@${page}`);
      const failure = this.failWith?.(params, page);
      if (failure !== undefined) throw failure;
      yield {
        rows: rows.slice(page * perPage, (page + 1) * perPage),
        rejected: page === 0 ? this.rejectedFor(params) : [],
        ...(page + 1 < pages ? { next: `page-${page + 1}` } : {}),
      };
    }
  }

  async validateCredentials(context: FetchContext = {}): Promise<CredentialsCheck> {
    await context.beforeRequest?.('/markets/calendar');
    this.credentialChecks++;
    return { ok: true };
  }
}
