import type { ApiAnswer } from '#cli/api-client.ts';
import { CliError } from '#cli/errors.ts';
import * as z from '#shared/zod.ts';

/**
 * The fields of the admin API's answers that the CLI shows. Loose on purpose: a newer API may add fields, and the
 * CLI shows what it knows (`--json` shows everything).
 */

const count = z.number();

export const GroupSchema = z.looseObject({
  id: z.string(),
  name: z.optional(z.string()),
  dataSource: z.optional(z.string()),
  dataset: z.optional(z.string()),
  schedule: z.optional(z.nullable(z.string())),
  timezone: z.optional(z.string()),
  enabled: z.optional(z.boolean()),
  pause: z.optional(z.nullable(z.looseObject({ reason: z.string(), until: z.optional(z.string()) }))),
  health: z.optional(z.looseObject({ state: z.string() })),
  version: z.number(),
});
export type Group = z.infer<typeof GroupSchema>;

export const GroupListSchema = z.looseObject({
  groups: z.array(GroupSchema),
  unreadable: z.optional(z.array(z.looseObject({ id: z.string(), error: z.string() }))),
});

export const RunSchema = z.looseObject({
  runId: z.string(),
  groupId: z.string(),
  trigger: z.optional(z.string()),
  businessDate: z.optional(z.string()),
  status: z.string(),
  reason: z.optional(z.string()),
  counters: z.looseObject({ total: count, succeeded: count, failed: count, dead: z.optional(count) }),
  upstreamRequests: z.optional(count),
  waitingForRateLimit: z.optional(count),
  rowsWritten: z.optional(count),
  createdAt: z.optional(z.string()),
  finishedAt: z.optional(z.string()),
});
export type Run = z.infer<typeof RunSchema>;

export const RunPageSchema = z.looseObject({ runs: z.array(RunSchema), cursor: z.optional(z.string()) });

export const JobSchema = z.looseObject({
  jobId: z.string(),
  status: z.string(),
  attemptsMade: z.optional(count),
  maxAttempts: z.optional(count),
  rowsWritten: z.optional(count),
  upstreamRequests: z.optional(count),
  waitingFor: z.optional(z.string()),
  deadLettered: z.optional(z.boolean()),
  lastError: z.optional(z.looseObject({ code: z.string(), message: z.string() })),
});
export type Job = z.infer<typeof JobSchema>;

export const JobPageSchema = z.looseObject({ jobs: z.array(JobSchema), cursor: z.optional(z.string()) });

export const RetrySchema = z.looseObject({
  run: RunSchema,
  retried: count,
  failed: z.optional(count),
  more: z.optional(z.boolean()),
});

export const BackfillSchema = z.looseObject({
  backfillId: z.string(),
  groupId: z.string(),
  from: z.string(),
  to: z.string(),
  force: z.optional(z.boolean()),
  status: z.string(),
  reason: z.optional(z.string()),
  createdAt: z.optional(z.string()),
  finishedAt: z.optional(z.string()),
  progress: z.looseObject({
    dates: z.looseObject({
      total: count,
      skipped: count,
      done: count,
      running: count,
      pending: count,
      failed: count,
    }),
    jobs: z.looseObject({ total: count, succeeded: count, failed: count }),
    rowsWritten: z.optional(count),
    upstreamRequests: z.optional(count),
    plannedRequests: z.optional(count),
    etaSeconds: z.optional(z.number()),
  }),
  failures: z._default(
    z.array(
      z.looseObject({
        date: z.string(),
        runId: z.optional(z.string()),
        jobId: z.optional(z.string()),
        error: z.looseObject({ code: z.string(), message: z.string() }),
      }),
    ),
    [],
  ),
});
export type Backfill = z.infer<typeof BackfillSchema>;

export const BackfillPageSchema = z.looseObject({
  backfills: z.array(BackfillSchema),
  cursor: z.optional(z.string()),
});

export const PreviewSchema = z.looseObject({
  awsExpression: z.string(),
  timezone: z.optional(z.string()),
  nextFireTimes: z.array(
    z.looseObject({
      at: z.string(),
      local: z.optional(z.string()),
      businessDate: z.optional(z.string()),
      skip: z.optional(z.string()),
    }),
  ),
});

const RateLimitSchema = z.looseObject({ limit: count, per: z.string() });

export const DataSourceSchema = z.looseObject({
  id: z.string(),
  plan: z.optional(z.string()),
  rateLimit: z.optional(RateLimitSchema),
  rateLimitSetting: z.optional(RateLimitSchema),
  health: z.optional(z.looseObject({ status: z.string(), reason: z.optional(z.string()) })),
  paused: z.optional(z.looseObject({ until: z.string() })),
  version: z.number(),
});
export type DataSource = z.infer<typeof DataSourceSchema>;

export const DataSourceListSchema = z.looseObject({ dataSources: z.array(DataSourceSchema) });

export const HealthCheckSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  reason: z.optional(z.string()),
});

export const DeadLetterSchema = z.looseObject({
  id: z.string(),
  dataSource: z.string(),
  unreadable: z.optional(z.boolean()),
  groupId: z.optional(z.nullable(z.string())),
  runId: z.optional(z.nullable(z.string())),
  jobId: z.optional(z.nullable(z.string())),
  businessDate: z.optional(z.nullable(z.string())),
  attemptsMade: z.optional(z.nullable(count)),
  failedAt: z.optional(z.nullable(z.string())),
  error: z.optional(z.looseObject({ code: z.string(), message: z.string() })),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

export const DeadLetterListSchema = z.looseObject({ deadLetters: z.array(DeadLetterSchema) });

const RedriveCountsSchema = z.looseObject({
  redriven: count,
  discarded: count,
  skipped: count,
  failed: count,
  more: z.boolean(),
});

export const RedriveSchema = z.extend(RedriveCountsSchema, {
  dataSources: z.optional(z.array(z.extend(RedriveCountsSchema, { dataSource: z.string() }))),
});

export const RowPageSchema = z.looseObject({
  rows: z.array(z.record(z.string(), z.unknown())),
  cursor: z.optional(z.string()),
});

export const ImportReportSchema = z.looseObject({
  created: z.optional(z.array(z.string())),
  updated: z.optional(z.array(z.string())),
  unchanged: z.optional(z.array(z.string())),
  conflicts: z.optional(z.array(z.looseObject({ id: z.string(), kind: z.string(), message: z.string() }))),
  dataSources: z.optional(z.array(z.string())),
});

/** Reads an answer's body with a schema; an answer the CLI does not understand says how to see it anyway. */
export function readAnswer<T>(schema: z.ZodMiniType<T>, answer: Pick<ApiAnswer, 'body'>, what: string): T {
  const parsed = schema.safeParse(answer.body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined ? '' : ` (${issue.path.join('.') || 'body'}: ${issue.message})`;
  throw new CliError(
    `the admin API answered ${what} in a shape this moomoo does not know${where}`,
    'add --json to see the answer as it is, and update moomoo (npm ci) to the version of the admin API',
  );
}

/** `GET /alerts`: each open alert's kind and sentence (its other fields vary by kind). */
export const AlertListSchema = z.object({
  alerts: z.array(z.looseObject({ kind: z.string(), message: z.string() })),
});
