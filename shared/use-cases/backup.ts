import { DataSourceIdSchema, JquantsPlanSchema } from '#shared/domain/data-source.ts';
import { type DataSourceSettings, RateLimitSchema } from '#shared/domain/data-source-settings.ts';
import { type FieldIssue, MoomooError, ValidationError } from '#shared/domain/errors.ts';
import { type JobGroup, JobGroupDraftSchema, JobGroupIdSchema, PauseSchema } from '#shared/domain/job-group.ts';
import {
  type BackupRestorer,
  maxRestoreWrites,
  RestoreInterruptedError,
  type RestoreOutcomes,
  type RestoreWrite,
} from '#shared/ports/backup-restorer.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { JobGroupListing, JobGroupStore } from '#shared/ports/job-group-store.ts';
import { type ValidateJobGroupDeps, validateJobGroup } from '#shared/use-cases/validate-job-group.ts';
import * as z from '#shared/zod.ts';

/**
 * Backup and restore of what operators configure: job groups and data-source settings (design §5 `GET /export`,
 * `POST /import`). Runs, jobs and market data are not part of a backup.
 */

const BackupGroupSchema = z.extend(JobGroupDraftSchema, {
  id: JobGroupIdSchema,
  pause: z._default(z.nullable(PauseSchema), null),
  /**
   * The version the group was read at: a group stored at another version is left alone, as a conflict. Without it,
   * the document's definition wins.
   */
  version: z.optional(z.int().check(z.gte(1))),
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

/** Something an import left as it was because it changed since it was read. */
export interface ImportConflict {
  readonly id: string;
  readonly kind: 'job group' | 'data source settings';
  readonly message: string;
}

/** What an import did; each list in the order of the document. */
export interface ImportReport {
  /** Groups created. */
  readonly created: string[];
  /** Groups whose stored definition differed, replaced (their version bumped). */
  readonly updated: string[];
  /** Groups already stored as the document has them: not written, their version kept. */
  readonly unchanged: string[];
  /** Groups and settings not written because they changed since they were read. */
  readonly conflicts: ImportConflict[];
  /** Data sources whose settings were written (settings already as in the document are left alone). */
  readonly dataSources: string[];
}

/** An import stopped midway by a failure: `applied` is what it wrote before; the same import again completes it. */
export class ImportInterruptedError extends MoomooError {
  readonly code = 'import_interrupted';
  readonly applied: ImportReport;

  constructor(applied: ImportReport, failed: RestoreInterruptedError['failed'], options?: ErrorOptions) {
    const written = applied.created.length + applied.updated.length + applied.dataSources.length;
    super(
      `the import stopped at ${failed.kind} '${failed.id}' after ${written} writes: what created, updated and ` +
        'dataSources list was written, nothing after it; import the same document again to complete it',
      options,
    );
    this.name = 'ImportInterruptedError';
    this.applied = applied;
  }
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
 * Restores a backup of at most `maxRestoreWrites` groups and settings: validates the whole document first (every
 * group against the others and the stored ones; one bad field anywhere changes nothing), then writes each group or
 * setting that differs from the stored one. Identical ones are skipped, so importing a document again is harmless
 * and completes an interrupted import. A group that changed since it was read (the document's `version`, or a write
 * during the import) is reported as a conflict and the rest go on. Groups absent from the backup are left alone.
 */
export async function importBackup(backup: Backup, deps: BackupDeps): Promise<ImportReport> {
  // Refused before validation: validating each group expands its template.
  const writes = backup.groups.length + backup.dataSources.length;
  if (writes > maxRestoreWrites) {
    throw ValidationError.of(
      '(body)',
      `this backup holds ${writes} items (${backup.groups.length} groups, ${backup.dataSources.length} data sources) ` +
        `but an import applies at most ${maxRestoreWrites} at once; import it in parts (moomoo import splits a ` +
        'backup by itself), which is safe to repeat',
    );
  }
  const issues = documentIssues(backup);
  if (issues.length > 0) throw new ValidationError(issues);

  const listing = await deps.groupStore.list();
  const stored = new Map(listing.groups.map((group) => [group.id, group]));
  const now = deps.clock.now().toISOString();
  const groups: JobGroup[] = backup.groups.map(({ version: _readAt, ...group }) => {
    const current = stored.get(group.id);
    return { ...group, createdAt: current?.createdAt ?? now, updatedAt: now, version: (current?.version ?? 0) + 1 };
  });
  await validateAgainstEachOther(groups, listing, deps);

  const report: ImportReport = { created: [], updated: [], unchanged: [], conflicts: [], dataSources: [] };
  const unreadable = new Map(listing.unreadable.map((group) => [group.id, group.error]));
  const groupWrites: RestoreWrite<JobGroup>[] = [];
  for (const [index, group] of groups.entries()) {
    const current = stored.get(group.id);
    const conflict = conflictOf(group.id, current?.version, backup.groups[index]?.version, unreadable.get(group.id));
    // Identity wins over a stale `version`: a document imported again must find its groups unchanged.
    if (current !== undefined && sameJson(definitionOf(current), definitionOf(group))) report.unchanged.push(group.id);
    else if (conflict !== undefined) report.conflicts.push({ id: group.id, kind: 'job group', message: conflict });
    else groupWrites.push({ item: group, expectedVersion: current?.version });
  }
  const sourceWrites: RestoreWrite<DataSourceSettings>[] = [];
  for (const source of backup.dataSources) {
    const current = await deps.settingsStore.get(source.id);
    const same = current !== undefined && sameJson([current.plan, current.rateLimit], [source.plan, source.rateLimit]);
    if (same) continue;
    const item = { ...source, updatedAt: now, version: (current?.version ?? 0) + 1 };
    sourceWrites.push({ item, expectedVersion: current?.version });
  }

  try {
    const outcomes = await deps.restorer.restore({ groups: groupWrites, dataSources: sourceWrites });
    recordOutcomes(report, groupWrites, sourceWrites, outcomes);
  } catch (error) {
    if (!(error instanceof RestoreInterruptedError)) throw error;
    recordOutcomes(report, groupWrites, sourceWrites, error.outcomes);
    throw new ImportInterruptedError(report, error.failed, { cause: error });
  }
  return report;
}

/**
 * Validates each group as if the whole document were already stored, so dependencies may point inside it; throws
 * one ValidationError with every bad field of every group.
 */
async function validateAgainstEachOther(
  groups: readonly JobGroup[],
  listing: JobGroupListing,
  deps: ValidateJobGroupDeps,
): Promise<void> {
  const merged = new Map(listing.groups.map((group) => [group.id, group]));
  for (const group of groups) merged.set(group.id, group);
  const overlay: JobGroupStore = {
    ...deps.groupStore,
    list: async () => ({
      groups: [...merged.values()].sort((a, b) => a.id.localeCompare(b.id)),
      unreadable: listing.unreadable.filter((group) => !merged.has(group.id)),
    }),
    get: async (id) => merged.get(id),
  };
  const issues: FieldIssue[] = [];
  for (const [index, group] of groups.entries()) {
    try {
      await validateJobGroup(group, { ...deps, groupStore: overlay });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues.map((issue) => ({ ...issue, path: `groups[${index}].${issue.path}` })));
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

/** Problems of the document as a whole: ids given twice, a plan for a data source without plans. */
function documentIssues(backup: Backup): FieldIssue[] {
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
  return issues;
}

/** Why a differing group must not be written, or undefined when it may be. */
function conflictOf(
  id: string,
  storedVersion: number | undefined,
  readAt: number | undefined,
  unreadable: string | undefined,
): string | undefined {
  if (unreadable !== undefined)
    return `job group '${id}' is stored but does not parse (${unreadable}); delete it first`;
  if (readAt === undefined || readAt === storedVersion) return undefined;
  return storedVersion === undefined
    ? `job group '${id}' no longer exists, but the document read it at version ${readAt}; drop version to create it`
    : `job group '${id}' is at version ${storedVersion}, not ${readAt} as the document read it; export again, or ` +
        'drop version to replace it';
}

/** Adds each write's outcome to the report: created, updated or conflict. */
function recordOutcomes(
  report: ImportReport,
  groupWrites: readonly RestoreWrite<JobGroup>[],
  sourceWrites: readonly RestoreWrite<DataSourceSettings>[],
  outcomes: RestoreOutcomes,
): void {
  const again = 'import again to replace it';
  for (const [index, outcome] of outcomes.groups.entries()) {
    const write = groupWrites[index];
    if (write === undefined) continue;
    const { id } = write.item;
    if (outcome === 'applied') {
      (write.expectedVersion === undefined ? report.created : report.updated).push(id);
      continue;
    }
    const message =
      write.expectedVersion === undefined
        ? `job group '${id}' was created by another writer during the import; ${again}`
        : `job group '${id}' changed during the import (no longer at version ${write.expectedVersion}); ${again}`;
    report.conflicts.push({ id, kind: 'job group', message });
  }
  for (const [index, outcome] of outcomes.dataSources.entries()) {
    const write = sourceWrites[index];
    if (write === undefined) continue;
    const { id } = write.item;
    if (outcome === 'applied') report.dataSources.push(id);
    else {
      const message = `data source settings '${id}' changed during the import; ${again}`;
      report.conflicts.push({ id, kind: 'data source settings', message });
    }
  }
}

/** A group as the operator defined it: without what the store keeps (createdAt, updatedAt, version). */
function definitionOf({
  createdAt: _c,
  updatedAt: _u,
  version: _v,
  ...definition
}: JobGroup): Omit<JobGroup, 'createdAt' | 'updatedAt' | 'version'> {
  return definition;
}

/** Whether two JSON values are equal, whatever the order of their keys (a stored item's order is not kept). */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).filter(([, field]) => field !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, field]) => [key, canonical(field)]));
}
