import { NotFoundError, ValidationError, VersionConflictError } from '#shared/domain/errors.ts';
import {
  type JobGroup,
  type JobGroupDraft,
  JobGroupIdSchema,
  type JobGroupPatch,
  type Pause,
  slugOf,
} from '#shared/domain/job-group.ts';
import { type ValidateJobGroupDeps, validateJobGroup } from '#shared/use-cases/validate-job-group.ts';

/**
 * The operator's edits of job groups. Every write is validated in full before anything is stored, and every
 * write is optimistic on `version`: a lost race is a 409, never a silent overwrite.
 */

/** Creates a group from a draft; the id defaults to the slug of the name. */
export async function createJobGroup(draft: JobGroupDraft, deps: ValidateJobGroupDeps): Promise<JobGroup> {
  const id = draft.id ?? slugOf(draft.name);
  if (!JobGroupIdSchema.safeParse(id).success) {
    throw ValidationError.of('id', `no id given and the name '${draft.name}' gives no usable slug; set an id`);
  }
  const now = deps.clock.now().toISOString();
  const { id: _draftId, ...definition } = draft;
  const group: JobGroup = { id, ...definition, pause: null, createdAt: now, updatedAt: now, version: 1 };
  await validateJobGroup(group, deps);
  await deps.groupStore.create(group);
  return group;
}

/** Applies a partial update to the group if it is still at `expectedVersion`. */
export async function updateJobGroup(
  id: string,
  patch: Omit<JobGroupPatch, 'version'>,
  expectedVersion: number,
  deps: ValidateJobGroupDeps,
): Promise<JobGroup> {
  const current = await requireGroup(id, deps);
  if (current.version !== expectedVersion) throw new VersionConflictError('job group', id, expectedVersion);
  // `null` takes an optional setting back to its default.
  const { runDeadline, calendar, expectBy, ...fields } = patch;
  const { runDeadline: _deadline, calendar: _calendar, expectBy: _expectBy, ...currentFields } = current;
  const next: JobGroup = {
    ...currentFields,
    ...withoutUndefined(fields),
    ...optionalSetting('runDeadline', runDeadline, current.runDeadline),
    ...optionalSetting('calendar', calendar, current.calendar),
    ...optionalSetting('expectBy', expectBy, current.expectBy),
    updatedAt: deps.clock.now().toISOString(),
    version: current.version + 1,
  };
  await validateJobGroup(next, deps);
  await deps.groupStore.update(next, expectedVersion);
  return next;
}

/** Deletes the group (its runs are kept); with `expectedVersion`, only from that version. */
export async function deleteJobGroup(
  id: string,
  expectedVersion: number | undefined,
  deps: Pick<ValidateJobGroupDeps, 'groupStore'>,
): Promise<void> {
  const { groups } = await deps.groupStore.list();
  const dependents = groups.filter((group) => group.dependsOn.includes(id));
  if (dependents.length > 0) {
    throw ValidationError.of(
      'id',
      `job groups ${dependents.map((group) => `'${group.id}'`).join(', ')} depend on '${id}'; remove that first`,
    );
  }
  await deps.groupStore.delete(id, expectedVersion);
}

/** Pauses the group (or changes the pause's reason and end); the schedule goes DISABLED. */
export async function pauseJobGroup(
  id: string,
  request: { reason: string; by?: string | undefined; until?: string | undefined },
  deps: Pick<ValidateJobGroupDeps, 'groupStore' | 'clock'>,
): Promise<JobGroup> {
  const now = deps.clock.now();
  if (request.until !== undefined && new Date(request.until).getTime() <= now.getTime()) {
    throw ValidationError.of('until', `must be in the future (now is ${now.toISOString()})`);
  }
  return modifyGroup(id, deps, (group) => {
    const pause: Pause = {
      reason: request.reason,
      pausedAt: group.pause?.pausedAt ?? now.toISOString(),
      ...(request.by === undefined ? {} : { by: request.by }),
      ...(request.until === undefined ? {} : { until: request.until }),
    };
    return { ...group, pause };
  });
}

/** Resumes the group from the next fire time on; the paused period is never replayed. */
export async function resumeJobGroup(
  id: string,
  deps: Pick<ValidateJobGroupDeps, 'groupStore' | 'clock'>,
): Promise<JobGroup> {
  return modifyGroup(id, deps, (group) => (group.pause === null ? undefined : { ...group, pause: null }));
}

/** Reads, changes and writes back a group, re-reading when another writer got in first. */
async function modifyGroup(
  id: string,
  deps: Pick<ValidateJobGroupDeps, 'groupStore' | 'clock'>,
  change: (group: JobGroup) => JobGroup | undefined,
): Promise<JobGroup> {
  for (let attempt = 1; ; attempt++) {
    const current = await requireGroup(id, deps);
    const changed = change(current);
    if (changed === undefined) return current;
    const next = { ...changed, updatedAt: deps.clock.now().toISOString(), version: current.version + 1 };
    try {
      await deps.groupStore.update(next, current.version);
      return next;
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= 3) throw error;
    }
  }
}

async function requireGroup(id: string, deps: Pick<ValidateJobGroupDeps, 'groupStore'>): Promise<JobGroup> {
  const group = await deps.groupStore.get(id);
  if (group === undefined) throw new NotFoundError('job group', id);
  return group;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/** An optional setting after a patch: `null` removes it, `undefined` keeps the current one. */
function optionalSetting<Key extends string, Value>(
  key: Key,
  patched: Value | null | undefined,
  current: Value | undefined,
): { [K in Key]?: Value } {
  const value = patched === null ? undefined : (patched ?? current);
  return (value === undefined ? {} : { [key]: value }) as { [K in Key]?: Value };
}
