import * as z from 'zod';
import { DataSourceIdSchema } from '#shared/domain/data-source.ts';

/**
 * The job group: a stored definition of what to fetch, from which data source, on which schedule, fanned out over
 * which parameters (design §1). These schemas are the single source of the admin API's validation and OpenAPI.
 */

/** Lower-case slug: letters, digits and single inner hyphens; it doubles as the schedule's name (≤ 64 chars). */
export const JobGroupIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
    'must be a slug: lower-case letters, digits and single hyphens, starting and ending with a letter or digit',
  );
export type JobGroupId = z.infer<typeof JobGroupIdSchema>;

const IsoInstantSchema = z.iso.datetime({ offset: true });

/** Why and until when a group is paused; a pause with `until` resumes itself once that instant passes. */
export const PauseSchema = z.strictObject({
  reason: z.string().trim().min(1).max(500),
  by: z.string().trim().min(1).max(200).optional(),
  until: IsoInstantSchema.optional(),
  pausedAt: IsoInstantSchema,
});
export type Pause = z.infer<typeof PauseSchema>;

/**
 * What happens to fire times that passed without a run (an outage, a deploy gap): `none` records them as missed,
 * `latest` runs only the most recent one, `all` runs each of them. A pause is never replayed, whatever the policy.
 */
export const CatchUpPolicySchema = z.enum(['none', 'latest', 'all']);
export type CatchUpPolicy = z.infer<typeof CatchUpPolicySchema>;

/** Whether a new tick may start while the group's previous run is still going. */
export const OverlapPolicySchema = z.enum(['skip', 'allow']);
export type OverlapPolicy = z.infer<typeof OverlapPolicySchema>;

/** A parameters template: any JSON object; its language is checked by the template expander (design §3). */
export const ParametersTemplateSchema = z.record(z.string(), z.json());
export type ParametersTemplate = z.infer<typeof ParametersTemplateSchema>;

/** Default number of attempts a job gets before it is dead-lettered. */
export const defaultMaxAttempts = 5;

/** The fields an operator writes; everything else is kept by the system. */
const editableFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  dataSource: DataSourceIdSchema,
  dataset: z.string().min(1).max(100),
  schedule: z.string().trim().min(1).max(200),
  timezone: z.string().min(1).max(64).default('Asia/Tokyo'),
  parametersTemplate: ParametersTemplateSchema.default({}),
  enabled: z.boolean().default(true),
  dependsOn: z.array(JobGroupIdSchema).max(20).default([]),
  catchUp: CatchUpPolicySchema.default('none'),
  overlap: OverlapPolicySchema.default('skip'),
  maxAttempts: z.int().min(1).max(20).default(defaultMaxAttempts),
};

/** A stored job group. */
export const JobGroupSchema = z.strictObject({
  id: JobGroupIdSchema,
  ...editableFields,
  pause: PauseSchema.nullable().default(null),
  createdAt: IsoInstantSchema,
  updatedAt: IsoInstantSchema,
  version: z.int().min(1),
});
export type JobGroup = z.infer<typeof JobGroupSchema>;

/** The body of `POST /groups`: the id is optional (slug of the name); unknown fields are rejected. */
export const JobGroupDraftSchema = z.strictObject({
  id: JobGroupIdSchema.optional(),
  ...editableFields,
});
export type JobGroupDraft = z.infer<typeof JobGroupDraftSchema>;

/** The body of `PATCH /groups/{id}`: any editable field; `version` may stand in for `If-Match`. */
export const JobGroupPatchSchema = z.strictObject({
  name: editableFields.name.optional(),
  description: z.string().max(2000).optional(),
  dataSource: DataSourceIdSchema.optional(),
  dataset: editableFields.dataset.optional(),
  schedule: editableFields.schedule.optional(),
  timezone: z.string().min(1).max(64).optional(),
  parametersTemplate: ParametersTemplateSchema.optional(),
  enabled: z.boolean().optional(),
  dependsOn: z.array(JobGroupIdSchema).max(20).optional(),
  catchUp: CatchUpPolicySchema.optional(),
  overlap: OverlapPolicySchema.optional(),
  maxAttempts: z.int().min(1).max(20).optional(),
  version: z.int().min(1).optional(),
});
export type JobGroupPatch = z.infer<typeof JobGroupPatchSchema>;

/** Turns a name into a group id: `"Daily bars (Prime)"` → `"daily-bars-prime"`. */
export function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/g, '');
}

/** True when the group should fire on its schedule: enabled and not paused. */
export function isActive(group: Pick<JobGroup, 'enabled' | 'pause'>): boolean {
  return group.enabled && group.pause === null;
}
