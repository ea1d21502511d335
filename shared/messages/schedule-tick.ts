import { JobGroupIdSchema } from '#shared/domain/job-group-id.ts';
import * as z from '#shared/zod.ts';

/**
 * What a group's schedule sends the dispatcher: the group and the tick's scheduled time, substituted by
 * EventBridge Scheduler from `<aws.scheduler.scheduled-time>` (e.g. `2026-11-27T08:30:00Z`).
 */
export const ScheduleTickSchema = z.object({
  groupId: JobGroupIdSchema,
  scheduledTime: z.iso.datetime({ offset: true }),
});
export type ScheduleTick = z.infer<typeof ScheduleTickSchema>;
