import { DataSourceIdSchema } from '#shared/domain/data-source.ts';
import { durationMs, IsoDurationSchema } from '#shared/domain/iso-duration.ts';
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

/**
 * When a group with `dependsOn` runs for a business date, judged on each upstream group's finished run of that date:
 * every one succeeded (`all-succeeded`), every one finished however it went (`all-finished`), or every one's
 * succeeded jobs at least this share of its total (`minSucceededRatio`).
 */
export const DependencyRuleSchema = z.union([
  z.enum(['all-succeeded', 'all-finished']),
  z.strictObject({ minSucceededRatio: z.number().check(z.gt(0), z.lte(1)) }),
]);
export type DependencyRule = z.infer<typeof DependencyRuleSchema>;

/**
 * The market calendar a group's fire times follow: `jpx` records a fire time on a JPX non-trading day `skipped`
 * (`market-holiday`) instead of dispatching it; `none` fires on every fire time.
 */
export const MarketCalendarSchema = z.enum(['jpx', 'none']);
export type MarketCalendar = z.infer<typeof MarketCalendarSchema>;

/** A time of day `HH:MM` (00:00–23:59). */
export const TimeOfDaySchema = z
  .string()
  .check(z.regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM, e.g. 18:30'));

/** The longest window missed fire times are judged over. */
export const maxCatchUpWindowMs = 7 * 86_400_000;

/** A parameters template: any JSON object; its language is checked by the template expander (design §3). */
export const ParametersTemplateSchema = z.record(z.string(), z.json());
export type ParametersTemplate = z.infer<typeof ParametersTemplateSchema>;

/** Default number of attempts a job gets before it is dead-lettered. */
export const defaultMaxAttempts = 5;

/** The most attempts a group may give its jobs (the job queues' receive limit stays above it). */
export const maxAttemptsLimit = 20;

/** An ISO 8601 duration of at most seven days. */
const CatchUpWindowSchema = IsoDurationSchema.check(
  z.refine((text) => (durationMs(text) ?? 0) <= maxCatchUpWindowMs, { message: 'must be at most P7D' }),
);

/** The fields an operator writes; everything else is kept by the system. */
const editableFields = {
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  description: z._default(z.string().check(z.maxLength(2000)), ''),
  dataSource: DataSourceIdSchema,
  dataset: z.string().check(z.minLength(1), z.maxLength(100)),
  /** A cron in the group's timezone, or null: no schedule (the group runs after its dependencies, or by hand). */
  schedule: z.nullable(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
  timezone: z._default(z.string().check(z.minLength(1), z.maxLength(64)), 'Asia/Tokyo'),
  parametersTemplate: z._default(ParametersTemplateSchema, {}),
  enabled: z._default(z.boolean(), true),
  dependsOn: z._default(z.array(JobGroupIdSchema).check(z.maxLength(20)), []),
  dependencyRule: z._default(DependencyRuleSchema, 'all-succeeded'),
  /** @default `jpx` for J-Quants datasets, `none` otherwise (`marketCalendarOf`) */
  calendar: z.optional(MarketCalendarSchema),
  /** By when, in the group's timezone, today's run should have succeeded; past it the group is late. */
  expectBy: z.optional(TimeOfDaySchema),
  catchUp: z._default(CatchUpPolicySchema, 'none'),
  /** How far back missed fire times are judged (and caught up), an ISO 8601 duration up to P7D. */
  catchUpWindow: z._default(CatchUpWindowSchema, 'P1D'),
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
  dependencyRule: z.optional(DependencyRuleSchema),
  calendar: z.optional(z.nullable(MarketCalendarSchema)),
  expectBy: z.optional(z.nullable(TimeOfDaySchema)),
  catchUpWindow: z.optional(CatchUpWindowSchema),
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

/** The market calendar a group follows: its own, or `jpx` for J-Quants data and `none` for the rest. */
export function marketCalendarOf(group: Pick<JobGroup, 'calendar' | 'dataSource'>): MarketCalendar {
  return group.calendar ?? (group.dataSource === 'jquants' ? 'jpx' : 'none');
}
