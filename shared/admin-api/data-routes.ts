import { type ApiResponse, type ErrorBody, HttpError } from '#shared/admin-api/api-error.ts';
import { defineRoute, json, type Route } from '#shared/admin-api/route.ts';
import { datasetIds, requireDataset } from '#shared/datasets/registry.ts';
import { rowLayoutOf } from '#shared/datasets/row-layout.ts';
import { DataSourceIdSchema } from '#shared/domain/data-source.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { DataSource } from '#shared/ports/data-source.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { MarketDataStore } from '#shared/ports/market-data-store.ts';
import { RateLimitDeferral, type RateLimiter } from '#shared/ports/rate-limiter.ts';
import { checkDataSourceCredentials } from '#shared/use-cases/manage-data-sources.ts';
import * as z from '#shared/zod.ts';

/** What the data routes need. */
export interface DataRouteDeps {
  readonly marketData: MarketDataStore;
  readonly settingsStore: DataSourceSettingsStore;
  /** The data sources, for credential checks; built lazily so the admin API starts without upstream secrets. */
  readonly dataSources: (id: 'jquants' | 'yahoo') => Promise<DataSource>;
  /** Paces credential checks with the jobs' requests. */
  readonly rateLimiter: Pick<RateLimiter, 'acquire'>;
  readonly clock: Clock;
}

const date = z.iso.date();
export const RowsQuerySchema = z
  .strictObject({
    code: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
    date: z.optional(date),
    from: z.optional(date),
    to: z.optional(date),
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
  })
  .check(
    z.superRefine((query, context) => {
      if (query.code === undefined && query.date === undefined) {
        context.addIssue({ code: 'custom', path: ['code'], message: 'give code (or symbol) or date' });
      }
      if (query.date !== undefined && (query.from !== undefined || query.to !== undefined)) {
        context.addIssue({ code: 'custom', path: ['date'], message: 'give date or from/to, not both' });
      }
      if ((query.from !== undefined || query.to !== undefined) && query.code === undefined) {
        context.addIssue({ code: 'custom', path: ['from'], message: 'a date range needs a code' });
      }
      if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
        context.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
      }
    }),
  );

/** Stored rows and credential checks (design §5). */
export function dataRoutes(deps: DataRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/datasets/{dataset}/rows',
      operationId: 'listDatasetRows',
      summary: 'Stored rows of a dataset by code (or symbol, sector, section) and/or date or range, paginated',
      params: z.strictObject({ dataset: z.enum(datasetIds as [string, ...string[]]) }),
      query: RowsQuerySchema,
      handle: async ({ params, query }) => {
        const dataset = requireDataset(params.dataset);
        const series =
          query.code ?? (rowLayoutOf(dataset).seriesField === undefined && query.date === undefined ? '-' : undefined);
        const page = await deps.marketData.queryRows(dataset, {
          ...(series === undefined ? {} : { series }),
          ...(query.date === undefined ? {} : { date: query.date }),
          ...(query.from === undefined ? {} : { from: query.from }),
          ...(query.to === undefined ? {} : { to: query.to }),
          limit: query.limit,
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        });
        return json(200, { rows: page.items, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/data-sources/{id}/check',
      operationId: 'checkDataSource',
      summary: 'Validate a data source credentials with the cheapest real call',
      params: z.strictObject({ id: DataSourceIdSchema }),
      body: z.strictObject({}),
      bodyOptional: true,
      handle: async ({ params }) => {
        let dataSource: DataSource;
        try {
          dataSource = await deps.dataSources(params.id);
        } catch (error) {
          throw new HttpError(409, 'not_configured', `${params.id} cannot be checked: ${(error as Error).message}`);
        }
        try {
          return json(200, { id: params.id, ...(await checkDataSourceCredentials(dataSource, deps)) });
        } catch (error) {
          if (error instanceof RateLimitDeferral) return rateLimited(error);
          throw error;
        }
      },
    }),
  ];
}

/** A check that found no request slot within the limiter's wait: 429 with when to try again, upstream untouched. */
function rateLimited(deferral: RateLimitDeferral): ApiResponse {
  const retryAfterSeconds = Math.max(1, Math.ceil(deferral.waitMs / 1000));
  const body: ErrorBody = {
    error: {
      code: 'rate_limited',
      message:
        `${deferral.dataSource} has no free request slot for ${retryAfterSeconds} s (its jobs are using its rate ` +
        'limit, or it is paused after a 429); the upstream was not called: check again later',
      details: { retryAfterSeconds },
    },
  };
  return json(429, body, { 'retry-after': String(retryAfterSeconds) });
}
