import { HttpError } from '#shared/admin-api/api-error.ts';
import { defineRoute, json, type Route } from '#shared/admin-api/route.ts';
import {
  type Backfill,
  BackfillFailureSchema,
  BackfillModeSchema,
  BackfillRequestSchema,
  BackfillStatusSchema,
  backfillProgress,
} from '#shared/domain/backfill.ts';
import { defaultSettings, effectiveRateLimit } from '#shared/domain/data-source-settings.ts';
import { JobGroupIdSchema } from '#shared/domain/job-group-id.ts';
import { grantIntervalMs } from '#shared/domain/rate-pacing.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import { type CancelBackfillDeps, cancelBackfill } from '#shared/use-cases/cancel-backfill.ts';
import { type StartBackfillDeps, startBackfill } from '#shared/use-cases/start-backfill.ts';
import * as z from '#shared/zod.ts';

/** What the backfill routes need. */
export type BackfillRouteDeps = StartBackfillDeps &
  CancelBackfillDeps & {
    readonly settingsStore: DataSourceSettingsStore;
  };

const count = () => z.int().check(z.gte(0));

/** A backfill as the admin API shows it: where it stands, with its progress and ETA. */
export const BackfillViewSchema = z.lazy(() =>
  z.object({
    backfillId: z.string(),
    groupId: z.string(),
    dataSource: z.string(),
    dataset: z.string(),
    from: z.iso.date(),
    to: z.iso.date(),
    force: z.boolean(),
    status: BackfillStatusSchema,
    reason: z.optional(z.string()),
    mode: z.optional(BackfillModeSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.optional(z.string()),
    progress: z.object({
      dates: z.object({
        total: count(),
        skipped: count(),
        done: count(),
        running: count(),
        pending: count(),
        failed: count(),
      }),
      /** The runs of groups that depend on this one, for the backfill's dates (run in its lane). */
      dependents: z.object({ done: count(), running: count(), failed: count() }),
      jobs: z.object({ total: count(), succeeded: count(), failed: count() }),
      rowsWritten: count(),
      upstreamRequests: count(),
      plannedRequests: count(),
      /** Seconds until the planned requests are made at the data source's rate limit; absent once finished. */
      etaSeconds: z.optional(count()),
    }),
    failures: z.array(BackfillFailureSchema),
  }),
);
export type BackfillView = z.infer<typeof BackfillViewSchema>;

const BackfillParamsSchema = z.strictObject({ backfillId: z.string().check(z.minLength(1), z.maxLength(120)) });
const PageQuerySchema = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
});

/** Backfills (design §5): start one, follow it, list a group's, cancel one. */
export function backfillRoutes(deps: BackfillRouteDeps): Route[] {
  const viewOf = async (backfill: Backfill): Promise<BackfillView> => {
    const settings =
      (await deps.settingsStore.get(backfill.dataSource)) ??
      defaultSettings(backfill.dataSource, deps.clock.now().toISOString());
    return {
      backfillId: backfill.backfillId,
      groupId: backfill.groupId,
      dataSource: backfill.dataSource,
      dataset: backfill.dataset,
      from: backfill.from,
      to: backfill.to,
      force: backfill.force,
      status: backfill.status,
      ...(backfill.reason === undefined ? {} : { reason: backfill.reason }),
      ...(backfill.plan === undefined ? {} : { mode: backfill.plan.mode }),
      createdAt: backfill.createdAt,
      updatedAt: backfill.updatedAt,
      ...(backfill.finishedAt === undefined ? {} : { finishedAt: backfill.finishedAt }),
      progress: backfillProgress(backfill, grantIntervalMs(effectiveRateLimit(settings))),
      failures: backfill.failures,
    };
  };
  const location = (backfill: Backfill) => ({ location: `/backfills/${encodeURIComponent(backfill.backfillId)}` });
  return [
    defineRoute({
      method: 'POST',
      path: '/groups/{id}/backfill',
      operationId: 'startBackfill',
      summary: 'Backfill a group: one run per JPX business date of the range, in the background',
      params: z.strictObject({ id: JobGroupIdSchema }),
      body: BackfillRequestSchema,
      response: { status: 202, schema: BackfillViewSchema, description: 'the backfill, planning' },
      handle: async ({ params, body }) => {
        const backfill = await startBackfill(params.id, body, deps);
        return json(202, await viewOf(backfill), location(backfill));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/backfills/{backfillId}',
      operationId: 'getBackfill',
      summary: 'A backfill: status, dates done, running and pending, jobs, rows, requests, failures and ETA',
      params: BackfillParamsSchema,
      response: { status: 200, schema: BackfillViewSchema, description: 'the backfill' },
      handle: async ({ params }) => {
        const backfill = await deps.backfillStore.get(params.backfillId);
        if (backfill === undefined) {
          throw new HttpError(404, 'not_found', `backfill '${params.backfillId}' does not exist`);
        }
        return json(200, await viewOf(backfill));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/groups/{id}/backfills',
      operationId: 'listGroupBackfills',
      summary: 'A group backfills, newest first',
      params: z.strictObject({ id: JobGroupIdSchema }),
      query: PageQuerySchema,
      response: {
        status: 200,
        schema: z.object({ backfills: z.array(BackfillViewSchema), cursor: z.optional(z.string()) }),
        description: 'a page of backfills',
      },
      handle: async ({ params, query }) => {
        const page = await deps.backfillStore.listByGroup(params.id, query);
        const backfills = await Promise.all(page.items.map(viewOf));
        return json(200, { backfills, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/backfills/{backfillId}/cancel',
      operationId: 'cancelBackfill',
      summary: 'Cancel a backfill for good: no more runs start, and the jobs of its runs still going fail',
      params: BackfillParamsSchema,
      response: { status: 200, schema: BackfillViewSchema, description: 'the backfill, cancelled' },
      handle: async ({ params }) => {
        const { backfill, finished } = await cancelBackfill(params.backfillId, deps);
        if (finished === true) {
          throw new HttpError(
            409,
            'already_finished',
            `backfill '${params.backfillId}' has finished: ${backfill.status}`,
          );
        }
        return json(200, await viewOf(backfill));
      },
    }),
  ];
}
