import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { syncGroupScheduleRecord } from '#shared/lambda/sync-group-schedule-record.ts';
import { silentLog } from '#shared/observability/logger.ts';
import type { GroupSchedule } from '#shared/ports/schedule-store.ts';
import { InMemoryJobGroupStore } from '#test/fakes/in-memory-job-group-store.ts';
import { InMemoryScheduleStore } from '#test/fakes/in-memory-schedule-store.ts';
import { aJobGroup } from '#test/fixtures/builders.ts';

function aStreamRecord(groupId: string | undefined, sequence: string): DynamoDBRecord {
  return {
    eventID: sequence,
    eventName: 'MODIFY',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: groupId === undefined ? {} : { id: { S: groupId } },
      SequenceNumber: sequence,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** A schedule store whose upsert fails for one group, the way a throttled Scheduler call would. */
class FlakyScheduleStore extends InMemoryScheduleStore {
  override async upsert(schedule: GroupSchedule): Promise<void> {
    if (schedule.groupId === 'flaky') throw new Error('ThrottlingException');
    await super.upsert(schedule);
  }
}

describe('schedule manager batch', () => {
  it('reports only the record that failed transiently and settles the others', async () => {
    const groupStore = new InMemoryJobGroupStore();
    const scheduleStore = new FlakyScheduleStore();
    for (const id of ['a', 'flaky', 'b']) await groupStore.create(aJobGroup({ id }));
    await groupStore.create(aJobGroup({ id: 'broken', schedule: '0 9 1 * 1' }));
    const records = [
      aStreamRecord('a', '100'),
      aStreamRecord('flaky', '200'),
      aStreamRecord(undefined, '300'),
      aStreamRecord('broken', '400'),
      aStreamRecord('b', '500'),
    ];

    const response = await processPartialResponse(
      { Records: records },
      syncGroupScheduleRecord({ groupStore, scheduleStore, log: silentLog }),
      new BatchProcessor(EventType.DynamoDBStreams),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
    expect((await scheduleStore.list()).map((schedule) => schedule.groupId).sort()).toEqual(['a', 'b']);
  });
});
