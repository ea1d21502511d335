import { type AlertRouteDeps, alertRoutes } from '#shared/admin-api/alert-routes.ts';
import type { ApiResponse } from '#shared/admin-api/api-error.ts';
import { type BackfillRouteDeps, backfillRoutes } from '#shared/admin-api/backfill-routes.ts';
import { type ConsoleRouteDeps, consoleRoutes } from '#shared/admin-api/console-routes.ts';
import { type DataRouteDeps, dataRoutes } from '#shared/admin-api/data-routes.ts';
import { type DeadLetterRouteDeps, deadLetterRoutes } from '#shared/admin-api/dead-letter-routes.ts';
import { type GroupRouteDeps, groupRoutes } from '#shared/admin-api/group-routes.ts';
import { type HttpRequest, handleRequest } from '#shared/admin-api/handle-request.ts';
import { openApiDocument } from '#shared/admin-api/openapi.ts';
import { defineRoute, json, type Route } from '#shared/admin-api/route.ts';
import { type RunRouteDeps, runRoutes } from '#shared/admin-api/run-routes.ts';
import { type SettingsRouteDeps, settingsRoutes } from '#shared/admin-api/settings-routes.ts';
import type { Log } from '#shared/observability/logger.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { RateLimiter } from '#shared/ports/rate-limiter.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import type { StepRequests } from '#shared/ports/step-requests.ts';

/** Everything the admin API works through. */
export interface AdminApiDeps
  extends SettingsRouteDeps,
    RunRouteDeps,
    BackfillRouteDeps,
    DataRouteDeps,
    DeadLetterRouteDeps,
    GroupRouteDeps,
    AlertRouteDeps,
    ConsoleRouteDeps {
  /** Paces credential checks and shows pauses after 429s. */
  readonly rateLimiter: Pick<RateLimiter, 'acquire' | 'status'>;
  // Named again because several route groups need them: one declaration settles their common type.
  readonly settingsStore: DataSourceSettingsStore;
  readonly runLedger: RunLedger;
  readonly steps: StepRequests;
  readonly log: Log;
}

/** The admin API: every route of design §5 that exists today, and a request handler over them. */
export interface AdminApi {
  readonly routes: readonly Route[];
  handle(request: HttpRequest): Promise<ApiResponse>;
}

/** Builds the admin API over its dependencies. */
export function createAdminApi(deps: AdminApiDeps): AdminApi {
  const openApiRoute = defineRoute({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This API described in OpenAPI 3.0',
    handle: async () => {
      // Generated on first request: converting every schema costs a cold start more than it is worth.
      document ??= openApiDocument(routes);
      return json(200, document);
    },
  });
  let document: Record<string, unknown> | undefined;
  const routes: readonly Route[] = [
    ...groupRoutes(deps),
    ...runRoutes(deps),
    ...backfillRoutes(deps),
    ...deadLetterRoutes(deps),
    ...settingsRoutes(deps),
    ...dataRoutes(deps),
    ...alertRoutes(deps),
    openApiRoute,
  ];
  // The console's page and assets are served beside the API but are not part of its description.
  const served = [...routes, ...consoleRoutes(deps)];
  return { routes, handle: (request) => handleRequest(request, served, deps.log) };
}
