import { businessDateOf } from '#shared/domain/business-date.ts';
import { assertValidTimezone, nextFireTimes, parseCron, toAwsScheduleExpression } from '#shared/domain/cron.ts';
import { localIsoString } from '#shared/domain/cron-timezone.ts';
import type { Clock } from '#shared/ports/clock.ts';
import * as z from '#shared/zod.ts';

export const SchedulePreviewRequestSchema = z.strictObject({
  schedule: z.string().check(z.minLength(1), z.maxLength(200)),
  timezone: z._default(z.string().check(z.minLength(1), z.maxLength(64)), 'Asia/Tokyo'),
  count: z._default(z.int().check(z.gte(1), z.lte(100)), 5),
  /** Preview from this instant instead of now. */
  after: z.optional(z.iso.datetime({ offset: true })),
});
export type SchedulePreviewRequest = z.infer<typeof SchedulePreviewRequestSchema>;

export const SchedulePreviewSchema = z.object({
  schedule: z.string(),
  timezone: z.string(),
  awsExpression: z.string(),
  nextFireTimes: z.array(
    z.object({
      at: z.string().check(z.describe('the fire instant in UTC')),
      local: z.string().check(z.describe('the same instant in the schedule timezone, with its offset')),
      businessDate: z.string(),
    }),
  ),
});
export type SchedulePreview = z.infer<typeof SchedulePreviewSchema>;

/** Validates a cron and timezone and shows what AWS will be told and when it will fire (DST-aware). */
export function previewSchedule(request: SchedulePreviewRequest, deps: { clock: Clock }): SchedulePreview {
  const cron = parseCron(request.schedule);
  assertValidTimezone(request.timezone);
  const after = request.after === undefined ? deps.clock.now() : new Date(request.after);
  return {
    schedule: cron.expression,
    timezone: request.timezone,
    awsExpression: toAwsScheduleExpression(cron),
    nextFireTimes: nextFireTimes(cron, request.timezone, { after, count: request.count }).map((instant) => ({
      at: instant.toISOString(),
      local: localIsoString(instant, request.timezone),
      businessDate: businessDateOf(instant, request.timezone),
    })),
  };
}
