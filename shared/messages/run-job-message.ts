import { DataSourceIdSchema } from '#shared/domain/data-source.ts';
import { JobGroupIdSchema } from '#shared/domain/job-group-id.ts';
import * as z from '#shared/zod.ts';

/**
 * The SQS messages that ask a fetch worker for work. Messages outlive the code that wrote them, so every version
 * still possibly in flight must parse (see test/fixtures/messages/).
 */

const runFields = {
  runId: z.string().check(z.minLength(1)),
  groupId: JobGroupIdSchema,
  dataSource: DataSourceIdSchema,
  dataset: z.string().check(z.minLength(1)),
  businessDate: z.iso.date(),
  /**
   * A request slot of the data source that an earlier delivery reserved for this message's next request, and the
   * interval its bucket paced at then: the message was deferred until just before it. Absent on a message that
   * holds none.
   */
  requestSlot: z.optional(
    z.object({ at: z.iso.datetime({ offset: true }), intervalMs: z.number().check(z.positive()) }),
  ),
  /** A slot held by a message written before slots carried their pace: read, never used (a fresh one is taken). */
  requestSlotAt: z.optional(z.iso.datetime({ offset: true })),
  /**
   * `background`: a backfill's work, which takes only request slots free right now, so that scheduled and manual
   * runs never wait behind it. Absent: the foreground.
   */
  priority: z.optional(z.literal('background')),
};

/** Version 1: run one job (one request plus pages). */
export const RunJobMessageSchema = z.object({
  version: z.literal(1),
  ...runFields,
  jobId: z.string().check(z.minLength(1)),
  params: z.record(z.string(), z.json()),
  /**
   * Set on a backfill's range request (`{code, from, to}`): each row it writes carries the run id of its own date's
   * run of this backfill (`backfillRunId`), not the message's run.
   */
  backfillId: z.optional(z.string().check(z.minLength(1))),
});
export type RunJobMessage = z.infer<typeof RunJobMessageSchema>;

/**
 * Version 2: fetch one date once for every unfinished `{ code, date }` job of the run on that date, splitting the
 * rows per job (request planning, design §4). The jobs are read from the run ledger, so a run of any size fits
 * one message.
 */
export const FetchDateMessageSchema = z.object({
  version: z.literal(2),
  ...runFields,
  date: z.iso.date(),
});
export type FetchDateMessage = z.infer<typeof FetchDateMessageSchema>;

/** Any job message a worker may receive. */
export const JobMessageSchema = z.discriminatedUnion('version', [RunJobMessageSchema, FetchDateMessageSchema]);
export type JobMessage = z.infer<typeof JobMessageSchema>;
