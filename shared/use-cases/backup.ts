import { DataSourceIdSchema, JquantsPlanSchema } from '#shared/domain/data-source.ts';
import { type DataSourceSettings, RateLimitSchema } from '#shared/domain/data-source-settings.ts';
import { type FieldIssue, ValidationError } from '#shared/domain/errors.ts';
import { type JobGroup, JobGroupDraftSchema, JobGroupIdSchema, PauseSchema } from '#shared/domain/job-group.ts';
import { type BackupRestorer, maxRestoreWrites, type RestoreWrite } from '#shared/ports/backup-restorer.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import { type ValidateJobGroupDeps, validateJobGroup } from '#shared/use-cases/validate-job-group.ts';
import * as z from '#shared/zod.ts';

/**
 * Backup and restore of what operators configure: job groups and data-source settings (design §5 `GET /export`,
 * `POST /import`). Runs, jobs and market data are not part of a backup.
 */

const BackupGroupSchema = z.extend(JobGroupDraftSchema, {
  id: JobGroupIdSchema,
  pause: z._default(z.nullable(PauseSchema), null),
});

const BackupDataSourceSchema = z.strictObject({
  id: DataSourceIdSchema,
  plan: z.optional(JquantsPlanSchema),
  rateLimit: z.optional(RateLimitSchema),
});

export const BackupSchema = z.strictObject({
  format: z.literal('moomoo-markets.backup'),
  version: z.literal(1),
  exportedAt: z.optional(z.iso.datetime({ offset: true })),
  groups: z.array(BackupGroupSchema).check(z.maxLength(1000)),
  dataSources: z._default(z.array(BackupDataSourceSchema).check(z.maxLength(10)), []),
});
export type Backup = z.infer<typeof BackupSchema>;

/** What an import changed. */
export interface ImportReport {
  readonly created: string[];
  readonly updated: string[];
  readonly dataSources: string[];
}

interface BackupDeps extends ValidateJobGroupDeps {
  readonly settingsStore: DataSourceSettingsStore;
  readonly restorer: BackupRestorer;
}

/** Every readable group and the data-source settings, in the form `importBackup` takes. */
export async function exportBackup(deps: {
  groupStore: JobGroupStore;
  settingsStore: DataSourceSettingsStore;
  clock: ValidateJobGroupDeps['clock'];
}): Promise<Backup> {
  const { groups } = await deps.groupStore.list();
  const settings = await Promise.all(DataSourceIdSchema.options.map((id) => deps.settingsStore.get(id)));
  return {
    format: 'moomoo-markets.backup',
    version: 1,
    exportedAt: deps.clock.now().toISOString(),
    groups: groups.map(({ createdAt: _c, updatedAt: _u, version: _v, ...group }) => group),
    dataSources: settings
      .filter((setting): setting is DataSourceSettings => setting !== undefined)
      .map(({ id, plan, rateLimit }) => ({
        id,
        ...(plan === undefined ? {} : { plan }),
        ...(rateLimit === undefined ? {} : { rateLimit }),
      })),
  };
}

/**
 * Restores a backup: validates the whole document first (every group against the others and the stored ones),
 * then creates or replaces each group and setting in one atomic write. A single bad field anywhere changes nothing.
 * Groups absent from the backup are left alone.
 */
export async function importBackup(backup: Backup, deps: BackupDeps): Promise<ImportReport> {
  // Refused before validation: a restore is one transaction, and validating each group expands its template.
  const writes = backup.groups.length + backup.dataSources.length;
  if (writes > maxRestoreWrites) {
    throw ValidationError.of(
      '(body)',
      `this backup holds ${writes} items (${backup.groups.length} groups, ${backup.dataSources.length} data sources) ` +
        `but an import applies at most ${maxRestoreWrites} at once; split it into several documents`,
    );
  }
  const issues: FieldIssue[] = [];
  const seen = new Map<string, number>();
  for (const [index, group] of backup.groups.entries()) {
    const first = seen.get(group.id);
    if (first !== undefined)
      issues.push({ path: `groups[${index}].id`, message: `'${group.id}' is also groups[${first}]` });
    seen.set(group.id, index);
  }
  for (const [index, source] of backup.dataSources.entries()) {
    const first = backup.dataSources.findIndex((other) => other.id === source.id);
    if (first !== index) {
      issues.push({ path: `dataSources[${index}].id`, message: `'${source.id}' is also dataSources[${first}]` });
    }
    if (source.plan !== undefined && source.id !== 'jquants') {
      issues.push({ path: `dataSources[${index}].plan`, message: `only jquants has plans, not '${source.id}'` });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);

  const listing = await deps.groupStore.list();
  const stored = new Map(listing.groups.map((group) => [group.id, group]));
  const now = deps.clock.now().toISOString();
  const groups: JobGroup[] = backup.groups.map((group) => {
    const current = stored.get(group.id);
    return { ...group, createdAt: current?.createdAt ?? now, updatedAt: now, version: (current?.version ?? 0) + 1 };
  });

  // Validate each group as if the whole backup were already stored, so dependencies may point inside it.
  const merged = new Map(stored);
  for (const group of groups) merged.set(group.id, group);
  const overlay: JobGroupStore = {
    ...deps.groupStore,
    list: async () => ({
      groups: [...merged.values()].sort((a, b) => a.id.localeCompare(b.id)),
      unreadable: listing.unreadable.filter((group) => !merged.has(group.id)),
    }),
    get: async (id) => merged.get(id),
  };
  for (const [index, group] of groups.entries()) {
    try {
      await validateJobGroup(group, { ...deps, groupStore: overlay });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues.map((issue) => ({ ...issue, path: `groups[${index}].${issue.path}` })));
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);

  const groupWrites: RestoreWrite<JobGroup>[] = groups.map((group) => ({
    item: group,
    expectedVersion: stored.get(group.id)?.version,
  }));
  const sourceWrites: RestoreWrite<DataSourceSettings>[] = [];
  for (const source of backup.dataSources) {
    const current = await deps.settingsStore.get(source.id);
    sourceWrites.push({
      item: { ...source, updatedAt: now, version: (current?.version ?? 0) + 1 },
      expectedVersion: current?.version,
    });
  }
  await deps.restorer.restore({ groups: groupWrites, dataSources: sourceWrites });
  return {
    created: groups.filter((group) => !stored.has(group.id)).map((group) => group.id),
    updated: groups.filter((group) => stored.has(group.id)).map((group) => group.id),
    dataSources: backup.dataSources.map((source) => source.id),
  };
}
