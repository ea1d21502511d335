import { HttpError } from '#shared/admin-api/api-error.ts';
import { defineRoute, json, type Route } from '#shared/admin-api/route.ts';
import { JobGroupIdSchema } from '#shared/domain/job-group.ts';
import { JobSchema, JobStatusSchema, RunSchema } from '#shared/domain/run.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import { type DispatchDeps, dispatchRun } from '#shared/use-cases/dispatch-run.ts';
import * as z from '#shared/zod.ts';

/** What the run routes need. */
export interface RunRouteDeps extends DispatchDeps {
  readonly runLedger: RunLedger;
}

const PageQuerySchema = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
});
const RunParamsSchema = z.strictObject({ runId: z.string().check(z.minLength(1), z.maxLength(200)) });

export const RunNowRequestSchema = z.strictObject({
  /** The business date to fetch for; defaults to today in the group's timezone. */
  businessDate: z.optional(z.iso.date()),
});

/** Run history, progress and failures, and run-now (design §5). */
export function runRoutes(deps: RunRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/groups/{id}/runs',
      operationId: 'runGroupNow',
      summary: 'Run a group now (a manual run), optionally for another business date',
      params: z.strictObject({ id: JobGroupIdSchema }),
      body: RunNowRequestSchema,
      bodyOptional: true,
      response: { status: 202, schema: RunSchema, description: 'the manual run, dispatched' },
      handle: async ({ params, body }) => {
        const outcome = await dispatchRun(
          {
            groupId: params.id,
            scheduledTime: deps.clock.now().toISOString(),
            trigger: 'manual',
            ...(body.businessDate === undefined ? {} : { businessDate: body.businessDate }),
          },
          deps,
        );
        if (outcome.outcome === 'no-group')
          throw new HttpError(404, 'not_found', `job group '${params.id}' does not exist`);
        return json(202, outcome.run, { location: `/runs/${encodeURIComponent(outcome.run.runId)}` });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/groups/{id}/runs',
      operationId: 'listGroupRuns',
      summary: 'A group runs, newest first',
      params: z.strictObject({ id: JobGroupIdSchema }),
      query: PageQuerySchema,
      response: {
        status: 200,
        schema: z.object({ runs: z.array(RunSchema), cursor: z.optional(z.string()) }),
        description: 'a page of runs',
      },
      handle: async ({ params, query }) => {
        const page = await deps.runLedger.listRuns(params.id, query);
        return json(200, { runs: page.items, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/runs/{runId}',
      operationId: 'getRun',
      summary: 'A run: status, counters and upstream requests',
      params: RunParamsSchema,
      response: { status: 200, schema: RunSchema, description: 'the run' },
      handle: async ({ params }) => {
        const run = await deps.runLedger.getRun(params.runId);
        if (run === undefined) throw new HttpError(404, 'not_found', `run '${params.runId}' does not exist`);
        return json(200, run);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/runs/{runId}/jobs',
      operationId: 'listRunJobs',
      summary: 'A run jobs, optionally of one status (e.g. failed), with attempts and last error',
      params: RunParamsSchema,
      query: z.extend(PageQuerySchema, { status: z.optional(JobStatusSchema) }),
      response: {
        status: 200,
        schema: z.object({ jobs: z.array(JobSchema), cursor: z.optional(z.string()) }),
        description: 'a page of jobs',
      },
      handle: async ({ params, query }) => {
        if ((await deps.runLedger.getRun(params.runId)) === undefined) {
          throw new HttpError(404, 'not_found', `run '${params.runId}' does not exist`);
        }
        const page = await deps.runLedger.listJobs(params.runId, query);
        return json(200, { jobs: page.items, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) });
      },
    }),
  ];
}
