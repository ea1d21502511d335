import { defineRoute, json, type Route } from '#shared/admin-api/route.ts';
import { type DataSourceId, DataSourceIdSchema } from '#shared/domain/data-source.ts';
import { JobGroupIdSchema } from '#shared/domain/job-group.ts';
import { JobErrorSchema, RunSchema } from '#shared/domain/run.ts';
import type { DeadLetterEntry } from '#shared/ports/dead-letter-store.ts';
import { type RedriveDeadLettersDeps, redriveDeadLetters } from '#shared/use-cases/redrive-dead-letters.ts';
import { retryRun } from '#shared/use-cases/retry-run.ts';
import * as z from '#shared/zod.ts';

/** What the failure-recovery routes need. */
export type DeadLetterRouteDeps = RedriveDeadLettersDeps;

const RunIdSchema = z.string().check(z.minLength(1), z.maxLength(200));
const LimitSchema = z.coerce.number().check(z.int(), z.gte(1), z.lte(1000));

export const DeadLettersQuerySchema = z.strictObject({
  dataSource: z.optional(DataSourceIdSchema),
  groupId: z.optional(JobGroupIdSchema),
  runId: z.optional(RunIdSchema),
  limit: z._default(LimitSchema, 100),
});

/** One letter as the API shows it; fields a letter does not know are null. */
export const DeadLetterViewSchema = z.object({
  id: z.string(),
  dataSource: DataSourceIdSchema,
  /** Not a job message at all: shown for inspection, never redriven. */
  unreadable: z.boolean(),
  /** The worker dead-lettered the job, or the job queue's redrive policy moved the message (null: unreadable). */
  movedBy: z.nullable(z.enum(['worker', 'queue'])),
  jobId: z.nullable(z.string()),
  groupId: z.nullable(z.string()),
  runId: z.nullable(z.string()),
  dataset: z.nullable(z.string()),
  businessDate: z.nullable(z.string()),
  error: JobErrorSchema,
  attemptsMade: z.nullable(z.int()),
  failedAt: z.nullable(z.string()),
  /** The unreadable body, cut to 2,000 characters. */
  body: z.optional(z.string()),
});
export type DeadLetterView = z.infer<typeof DeadLetterViewSchema>;

export const RedriveRequestSchema = z.strictObject({
  dataSource: z.optional(DataSourceIdSchema),
  groupId: z.optional(JobGroupIdSchema),
  runId: z.optional(RunIdSchema),
  /** Letters looked at per data source in this call. @default 500 */
  limit: z.optional(z.int().check(z.gte(1), z.lte(1000))),
});

const RedriveCountsSchema = z.object({
  redriven: z.int(),
  discarded: z.int(),
  skipped: z.int(),
  failed: z.int(),
  more: z.boolean(),
});

export const RetryRunRequestSchema = z.strictObject({
  /** Failed jobs taken from the run ledger in this call. @default 500 */
  limit: z.optional(z.int().check(z.gte(1), z.lte(1000))),
});

/** Dead-letter inspection and redrive, and retrying a run's failed jobs (design §5). */
export function deadLetterRoutes(deps: DeadLetterRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/dead-letters',
      operationId: 'listDeadLetters',
      summary: 'Letters waiting in the dead-letter queues (newest first), optionally of one data source, group or run',
      query: DeadLettersQuerySchema,
      response: {
        status: 200,
        schema: z.object({ deadLetters: z.array(DeadLetterViewSchema) }),
        description: 'the letters, left in their queues',
      },
      handle: async ({ query }) => {
        const filter = {
          ...(query.groupId === undefined ? {} : { groupId: query.groupId }),
          ...(query.runId === undefined ? {} : { runId: query.runId }),
        };
        const dataSources = query.dataSource === undefined ? DataSourceIdSchema.options : [query.dataSource];
        const views: DeadLetterView[] = [];
        for (const dataSource of dataSources) {
          const entries = await deps.deadLetterStores[dataSource].peek({ filter, limit: query.limit });
          views.push(...entries.map((entry) => viewOf(dataSource, entry)));
        }
        views.sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''));
        return json(200, { deadLetters: views.slice(0, query.limit) });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/dead-letters/redrive',
      operationId: 'redriveDeadLetters',
      summary: 'Reopen the jobs of the matching dead letters and send them back to their job queues',
      body: RedriveRequestSchema,
      response: {
        status: 200,
        schema: z.extend(RedriveCountsSchema, {
          dataSources: z.array(z.extend(RedriveCountsSchema, { dataSource: DataSourceIdSchema })),
        }),
        description: 'what the redrive did, in total and per data source',
      },
      handle: async ({ body }) => json(200, await redriveDeadLetters(body, deps)),
    }),
    defineRoute({
      method: 'POST',
      path: '/runs/{runId}/retry',
      operationId: 'retryRun',
      summary: 'Re-queue the failed jobs of a run, dead-lettered or not; the run runs again until they finish',
      params: z.strictObject({ runId: RunIdSchema }),
      body: RetryRunRequestSchema,
      bodyOptional: true,
      response: {
        status: 202,
        schema: z.object({
          run: RunSchema,
          retried: z.int(),
          failed: z.int(),
          more: z.boolean(),
          deadLetters: RedriveCountsSchema,
        }),
        description: 'the jobs re-queued and the run after it',
      },
      handle: async ({ params, body }) => {
        const result = await retryRun(params.runId, deps, body.limit === undefined ? {} : { limit: body.limit });
        return json(202, result, { location: `/runs/${encodeURIComponent(params.runId)}` });
      },
    }),
  ];
}

function viewOf(dataSource: DataSourceId, entry: DeadLetterEntry): DeadLetterView {
  if (entry.kind === 'unreadable') {
    return {
      id: entry.id,
      dataSource,
      unreadable: true,
      movedBy: null,
      jobId: null,
      groupId: null,
      runId: null,
      dataset: null,
      businessDate: null,
      error: entry.error,
      attemptsMade: null,
      failedAt: entry.failedAt ?? null,
      body: entry.body,
    };
  }
  const { message } = entry;
  return {
    id: entry.id,
    dataSource,
    unreadable: false,
    movedBy: entry.movedBy,
    jobId: message.version === 1 ? message.jobId : null,
    groupId: message.groupId,
    runId: message.runId,
    dataset: message.dataset,
    businessDate: message.businessDate,
    error: entry.error,
    attemptsMade: entry.attemptsMade ?? null,
    failedAt: entry.failedAt ?? null,
  };
}
