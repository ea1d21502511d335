import type { DynamoDBRecord } from 'aws-lambda';
import { isPermanentError } from '#shared/domain/errors.ts';
import type { Log } from '#shared/observability/logger.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import type { ScheduleStore } from '#shared/ports/schedule-store.ts';
import { convergeGroupSchedule } from '#shared/use-cases/converge-group-schedule.ts';
import * as z from '#shared/zod.ts';

const GroupKeySchema = z.object({ id: z.object({ S: z.string().check(z.minLength(1)) }) });

/**
 * The schedule manager's work for one JobGroups stream record: the record names a group, whose schedule then
 * converges on the group as stored now. A record that can never succeed (no group key, a stored group whose
 * schedule cannot be built) is reported and let go; anything else throws, so the record is retried.
 */
export function syncGroupScheduleRecord(deps: {
  groupStore: JobGroupStore;
  scheduleStore: ScheduleStore;
  log: Log;
}): (record: DynamoDBRecord) => Promise<void> {
  return async (record) => {
    const key = GroupKeySchema.safeParse(record.dynamodb?.Keys);
    if (!key.success) {
      deps.log.error('stream record has no group id', { eventId: record.eventID });
      return;
    }
    const groupId = key.data.id.S;
    try {
      const outcome = await convergeGroupSchedule(groupId, deps);
      deps.log.info('group schedule converged', { groupId, outcome, eventName: record.eventName });
    } catch (error) {
      if (!isPermanentError(error)) throw error;
      deps.log.error('group schedule cannot be built', { groupId, error });
    }
  };
}
