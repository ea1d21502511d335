import { errorResponse, HttpError } from '#shared/admin-api/api-error.ts';
import { expectedVersionOf } from '#shared/admin-api/group-routes.ts';
import { defineRoute, json, type Route } from '#shared/admin-api/route.ts';
import { datasets } from '#shared/datasets/registry.ts';
import { DataSourceIdSchema } from '#shared/domain/data-source.ts';
import { DataSourceSettingsPatchSchema } from '#shared/domain/data-source-settings.ts';
import type { Log } from '#shared/observability/logger.ts';
import { type BackupRestorer, maxRestoreWrites } from '#shared/ports/backup-restorer.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { RateLimiter } from '#shared/ports/rate-limiter.ts';
import {
  type Backup,
  BackupSchema,
  exportBackup,
  ImportInterruptedError,
  importBackup,
} from '#shared/use-cases/backup.ts';
import { listDataSources, updateDataSource } from '#shared/use-cases/manage-data-sources.ts';
import {
  previewSchedule,
  SchedulePreviewRequestSchema,
  SchedulePreviewSchema,
} from '#shared/use-cases/preview-schedule.ts';
import type { ValidateJobGroupDeps } from '#shared/use-cases/validate-job-group.ts';
import * as z from '#shared/zod.ts';

/** What the settings routes need. */
export interface SettingsRouteDeps extends ValidateJobGroupDeps {
  readonly settingsStore: DataSourceSettingsStore;
  /** Pauses after 429s, shown by `GET /data-sources`. */
  readonly rateLimiter?: Pick<RateLimiter, 'status'>;
  readonly restorer: BackupRestorer;
  readonly log: Log;
}

/** Schedule preview, data sources, datasets, and backup routes of design §5. */
export function settingsRoutes(deps: SettingsRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/schedules/preview',
      operationId: 'previewSchedule',
      summary:
        'Validate a cron and timezone; show the AWS expression and the next fire times (DST-aware), with calendar ' +
        'jpx marking those on market holidays',
      body: SchedulePreviewRequestSchema,
      response: { status: 200, schema: SchedulePreviewSchema, description: 'the preview' },
      handle: async ({ body }) => json(200, await previewSchedule(body, deps)),
    }),
    defineRoute({
      method: 'GET',
      path: '/data-sources',
      operationId: 'listDataSources',
      summary: 'List data sources with their plan and the rate limit in force',
      handle: async () => json(200, { dataSources: await listDataSources(deps) }),
    }),
    defineRoute({
      method: 'PATCH',
      path: '/data-sources/{id}',
      operationId: 'updateDataSource',
      summary: 'Set a data source plan or rate limit (rateLimit null returns to the plan default)',
      params: z.strictObject({ id: DataSourceIdSchema }),
      body: DataSourceSettingsPatchSchema,
      handle: async ({ params, body, headers }) => {
        const { version, ...patch } = body;
        return json(200, await updateDataSource(params.id, patch, expectedVersionOf(headers, version), deps));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/datasets',
      operationId: 'listDatasets',
      summary: 'List the datasets that can be fetched, with their params and natural keys',
      handle: async () =>
        json(200, {
          datasets: datasets.map((dataset) => ({
            id: dataset.id,
            dataSource: dataset.dataSource,
            description: dataset.description,
            naturalKey: dataset.naturalKey,
            dateWide: dataset.dateWide,
            ...(dataset.minimumPlan === undefined ? {} : { minimumPlan: dataset.minimumPlan }),
            params: z.toJSONSchema(dataset.paramsSchema, { io: 'input', unrepresentable: 'any' }),
          })),
        }),
    }),
    defineRoute({
      method: 'GET',
      path: '/export',
      operationId: 'exportBackup',
      summary: 'Export every job group and data-source setting as one JSON document',
      response: { status: 200, schema: BackupSchema, description: 'the backup document' },
      handle: async () => json(200, await exportBackup(deps)),
    }),
    defineRoute<Record<string, never>, Record<string, never>, Backup>({
      method: 'POST',
      path: '/import',
      operationId: 'importBackup',
      summary:
        `Restore a backup of at most ${maxRestoreWrites} groups and settings: validated whole first, then each ` +
        'differing one written and identical ones skipped; conflicts reported per group',
      body: BackupSchema,
      handle: async ({ body }) => {
        try {
          return json(200, await importBackup(body, deps));
        } catch (error) {
          if (!(error instanceof ImportInterruptedError)) throw error;
          // Answered here rather than thrown: the body must list what was written, and the cause must be logged.
          deps.log.error('import interrupted', { error });
          return errorResponse(new HttpError(500, error.code, error.message, error.applied));
        }
      },
    }),
  ];
}
