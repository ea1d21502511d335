import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import type { DataSourceId } from '#shared/domain/data-source.ts';
import type { CredentialsCheck, DataSource, FetchContext, FetchResult } from '#shared/ports/data-source.ts';

/** A scripted data source: answers with `rowsFor(params)`, or throws what `failWith` says, and records calls. */
export class FakeDataSource implements DataSource {
  readonly id: DataSourceId;
  readonly calls: { dataset: string; params: Readonly<Record<string, unknown>> }[] = [];
  rowsFor: (params: Readonly<Record<string, unknown>>) => Record<string, unknown>[] = () => [];
  failWith: ((params: Readonly<Record<string, unknown>>) => Error | undefined) | undefined;
  pagesPerFetch = 1;

  constructor(id: DataSourceId = 'jquants') {
    this.id = id;
  }

  async fetch(
    dataset: DatasetDefinition,
    params: Readonly<Record<string, unknown>>,
    context: FetchContext,
  ): Promise<FetchResult> {
    this.calls.push({ dataset: dataset.id, params });
    for (let page = 0; page < this.pagesPerFetch; page++) await context.beforeRequest?.(dataset.endpoint);
    const failure = this.failWith?.(params);
    if (failure !== undefined) throw failure;
    return { rows: this.rowsFor(params), upstreamRequests: this.pagesPerFetch };
  }

  async validateCredentials(): Promise<CredentialsCheck> {
    return { ok: true };
  }
}
