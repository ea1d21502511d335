import { DataSourceIdSchema } from '#shared/domain/data-source.ts';
import { IsoDurationSchema } from '#shared/domain/iso-duration.ts';
import { JobGroupIdSchema } from '#shared/domain/job-group-id.ts';
import * as z from '#shared/zod.ts';

/**
 * The job group: a stored definition of what to fetch, from which data source, on which schedule, fanned out over
 * which parameters (design §1). These schemas are the single source of the admin API's validation and OpenAPI.
 */

export { type JobGroupId, JobGroupIdSchema } from '#shared/domain/job-group-id.ts';

const IsoInstantSchema = z.iso.datetime({ offset: true });

/** Why and until when a group is paused; a pause with `until` resumes itself once that instant passes. */
export const PauseSchema = z.strictObject({
  reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
  by: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
  until: z.optional(IsoInstantSchema),
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

/** The most attempts a group may give its jobs (the job queues' receive limit stays above it). */
export const maxAttemptsLimit = 20;

/** The fields an operator writes; everything else is kept by the system. */
const editableFields = {
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  description: z._default(z.string().check(z.maxLength(2000)), ''),
  dataSource: DataSourceIdSchema,
  dataset: z.string().check(z.minLength(1), z.maxLength(100)),
  schedule: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  timezone: z._default(z.string().check(z.minLength(1), z.maxLength(64)), 'Asia/Tokyo'),
  parametersTemplate: z._default(ParametersTemplateSchema, {}),
  enabled: z._default(z.boolean(), true),
  dependsOn: z._default(z.array(JobGroupIdSchema).check(z.maxLength(20)), []),
  catchUp: z._default(CatchUpPolicySchema, 'none'),
  overlap: z._default(OverlapPolicySchema, 'skip'),
  maxAttempts: z._default(z.int().check(z.gte(1), z.lte(maxAttemptsLimit)), defaultMaxAttempts),
  /**
   * How long a run may take from `running` before its unfinished jobs fail (`run_timed_out`), an ISO 8601 duration.
   * @default the longer of 6 hours and twice its requests' time at the data source's limit (`runDeadlineMs`)
   */
  runDeadline: z.optional(IsoDurationSchema),
};

/** A stored job group. */
export const JobGroupSchema = z.strictObject({
  id: JobGroupIdSchema,
  ...editableFields,
  pause: z._default(z.nullable(PauseSchema), null),
  createdAt: IsoInstantSchema,
  updatedAt: IsoInstantSchema,
  version: z.int().check(z.gte(1)),
});
export type JobGroup = z.infer<typeof JobGroupSchema>;

/** The body of `POST /groups`: the id is optional (slug of the name); unknown fields are rejected. */
export const JobGroupDraftSchema = z.strictObject({
  id: z.optional(JobGroupIdSchema),
  ...editableFields,
});
export type JobGroupDraft = z.infer<typeof JobGroupDraftSchema>;

/** The body of `PATCH /groups/{id}`: any editable field; `version` may stand in for `If-Match`. */
export const JobGroupPatchSchema = z.strictObject({
  name: z.optional(editableFields.name),
  description: z.optional(z.string().check(z.maxLength(2000))),
  dataSource: z.optional(DataSourceIdSchema),
  dataset: z.optional(editableFields.dataset),
  schedule: z.optional(editableFields.schedule),
  timezone: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  parametersTemplate: z.optional(ParametersTemplateSchema),
  enabled: z.optional(z.boolean()),
  dependsOn: z.optional(z.array(JobGroupIdSchema).check(z.maxLength(20))),
  catchUp: z.optional(CatchUpPolicySchema),
  overlap: z.optional(OverlapPolicySchema),
  maxAttempts: z.optional(z.int().check(z.gte(1), z.lte(maxAttemptsLimit))),
  runDeadline: z.optional(z.nullable(IsoDurationSchema)),
  version: z.optional(z.int().check(z.gte(1))),
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
