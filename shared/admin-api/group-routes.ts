import { HttpError } from '#shared/admin-api/api-error.ts';
import { defineRoute, json, type Route } from '#shared/admin-api/route.ts';
import {
  JobGroupDraftSchema,
  JobGroupIdSchema,
  JobGroupPatchSchema,
  JobGroupSchema,
} from '#shared/domain/job-group.ts';
import { groupHealth, type HealthDeps } from '#shared/use-cases/alerts.ts';
import {
  createJobGroup,
  deleteJobGroup,
  pauseJobGroup,
  resumeJobGroup,
  updateJobGroup,
} from '#shared/use-cases/edit-job-groups.ts';
import type { ValidateJobGroupDeps } from '#shared/use-cases/validate-job-group.ts';
import * as z from '#shared/zod.ts';

const GroupParamsSchema = z.strictObject({ id: JobGroupIdSchema });

export const PauseRequestSchema = z.strictObject({
  reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
  by: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
  until: z.optional(z.iso.datetime({ offset: true })),
});

const groupResponse = (status: number, description: string) =>
  ({ status, schema: JobGroupSchema, description }) as const;

/** Reads the version a write is based on: `If-Match: "3"` (or `W/"3"`, or `3`), else `version` in the body. */
export function expectedVersionOf(
  headers: Readonly<Record<string, string | undefined>>,
  bodyVersion?: number,
): number | undefined {
  const ifMatch = headers['if-match'];
  if (ifMatch === undefined) return bodyVersion;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(ifMatch);
  if (match?.[1] === undefined)
    throw new HttpError(400, 'validation_failed', `If-Match must be a version number, not '${ifMatch}'`);
  const version = Number(match[1]);
  if (bodyVersion !== undefined && bodyVersion !== version) {
    throw new HttpError(400, 'validation_failed', `If-Match (${version}) and body version (${bodyVersion}) disagree`);
  }
  return version;
}

/** A group's freshness (`groupHealth`), as `GET /groups/{id}` shows it. */
const GroupHealthSchema = z.union([
  z.object({ state: z.literal('ok') }),
  z.object({ state: z.literal('late'), since: z.string(), businessDate: z.string() }),
]);

/** What the group routes need. */
export type GroupRouteDeps = ValidateJobGroupDeps & HealthDeps;

/** The job group routes of design §5. */
export function groupRoutes(deps: GroupRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/groups',
      operationId: 'listGroups',
      summary: 'List job groups',
      response: {
        status: 200,
        schema: z.object({
          groups: z.array(JobGroupSchema),
          unreadable: z.array(z.object({ id: z.string(), error: z.string() })),
        }),
        description: 'every group; stored groups that no longer parse are listed apart under unreadable, with why',
      },
      handle: async () => json(200, await deps.groupStore.list()),
    }),
    defineRoute({
      method: 'POST',
      path: '/groups',
      operationId: 'createGroup',
      summary: 'Create a job group (id defaults to the slug of its name)',
      body: JobGroupDraftSchema,
      response: groupResponse(201, 'the created group'),
      handle: async ({ body }) => {
        const group = await createJobGroup(body, deps);
        return json(201, group, { location: `/groups/${group.id}`, etag: `"${group.version}"` });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/groups/{id}',
      operationId: 'getGroup',
      summary: 'Read a job group, with its health (late past its expectBy without a succeeded run of today)',
      params: GroupParamsSchema,
      response: {
        status: 200,
        schema: z.extend(JobGroupSchema, { health: GroupHealthSchema }),
        description: 'the group and its health; its ETag is its version',
      },
      handle: async ({ params }) => {
        const group = await deps.groupStore.get(params.id);
        if (group === undefined) throw new HttpError(404, 'not_found', `job group '${params.id}' does not exist`);
        return json(200, { ...group, health: await groupHealth(group, deps) }, { etag: `"${group.version}"` });
      },
    }),
    defineRoute({
      method: 'PATCH',
      path: '/groups/{id}',
      operationId: 'updateGroup',
      summary: 'Update some fields of a job group; needs If-Match or version',
      params: GroupParamsSchema,
      body: JobGroupPatchSchema,
      response: groupResponse(200, 'the updated group'),
      handle: async ({ params, body, headers }) => {
        const { version, ...patch } = body;
        const expectedVersion = expectedVersionOf(headers, version);
        if (expectedVersion === undefined) {
          throw new HttpError(
            400,
            'version_required',
            'say which version you are changing: an If-Match header or "version" in the body',
          );
        }
        const group = await updateJobGroup(params.id, patch, expectedVersion, deps);
        return json(200, group, { etag: `"${group.version}"` });
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/groups/{id}',
      operationId: 'deleteGroup',
      summary: 'Delete a job group and its schedule (its runs are kept)',
      params: GroupParamsSchema,
      response: { status: 204, description: 'deleted' },
      handle: async ({ params, headers }) => {
        await deleteJobGroup(params.id, expectedVersionOf(headers), deps);
        return { statusCode: 204 };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/groups/{id}/pause',
      operationId: 'pauseGroup',
      summary: 'Pause a job group, optionally until an instant (then it resumes by itself)',
      params: GroupParamsSchema,
      body: PauseRequestSchema,
      response: groupResponse(200, 'the paused group'),
      handle: async ({ params, body }) => json(200, await pauseJobGroup(params.id, body, deps)),
    }),
    defineRoute({
      method: 'POST',
      path: '/groups/{id}/resume',
      operationId: 'resumeGroup',
      summary: 'Resume a paused job group from its next fire time (the paused period is not replayed)',
      params: GroupParamsSchema,
      body: z.strictObject({}),
      bodyOptional: true,
      response: groupResponse(200, 'the resumed group'),
      handle: async ({ params }) => json(200, await resumeJobGroup(params.id, deps)),
    }),
  ];
}
