import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgeScheduleStore } from '#shared/adapters/event-bridge-schedule-store.ts';
import { type ScheduleStoreMethod, schedulerActionsOf } from '#shared/adapters/scheduler-actions.ts';
import type { GroupSchedule } from '#shared/ports/schedule-store.ts';

const scheduler = mockClient(SchedulerClient);
const store = new EventBridgeScheduleStore({
  client: new SchedulerClient({ region: 'ap-northeast-1' }),
  groupName: 'moomoo-job-groups',
  targetArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:dispatch-run',
  roleArn: 'arn:aws:iam::123456789012:role/scheduler-invoke',
  deadLetterQueueArn: 'arn:aws:sqs:ap-northeast-1:123456789012:schedule-dead-letters',
});
const schedule: GroupSchedule = {
  groupId: 'daily-bars',
  expression: 'cron(30 17 ? * MON-FRI *)',
  timezone: 'Asia/Tokyo',
  state: 'ENABLED',
};
const notFound = (): ResourceNotFoundException =>
  new ResourceNotFoundException({ $metadata: {}, message: 'missing', Message: 'missing' });
const conflict = (): ConflictException =>
  new ConflictException({ $metadata: {}, message: 'exists', Message: 'exists' });

/** The IAM actions of every command the store sent, e.g. `scheduler:CreateSchedule`. */
const sentActions = (): string[] =>
  scheduler.calls().map((call) => `scheduler:${call.args[0].constructor.name.replace(/Command$/, '')}`);

/** Runs one path through a store method and returns the actions it needed. */
async function actionsOf(run: () => Promise<unknown>): Promise<string[]> {
  scheduler.reset();
  await run();
  return sentActions();
}

afterEach(() => {
  scheduler.reset();
});

describe('schedulerActionsOf', () => {
  it('names every Scheduler action each store method calls on any of its paths, and no other', async () => {
    const paths: Record<ScheduleStoreMethod, (() => Promise<unknown>)[]> = {
      upsert: [
        async () => {
          scheduler.on(UpdateScheduleCommand).resolves({});
          await store.upsert(schedule);
        },
        async () => {
          scheduler.on(UpdateScheduleCommand).rejects(notFound()).on(CreateScheduleCommand).resolves({});
          await store.upsert(schedule);
        },
        async () => {
          scheduler
            .on(UpdateScheduleCommand)
            .rejectsOnce(notFound())
            .resolves({})
            .on(CreateScheduleCommand)
            .rejects(conflict());
          await store.upsert(schedule);
        },
      ],
      delete: [
        async () => {
          scheduler.on(DeleteScheduleCommand).rejects(notFound());
          await store.delete('daily-bars');
        },
      ],
      get: [
        async () => {
          scheduler.on(GetScheduleCommand).resolves({ Name: 'daily-bars' });
          await store.get('daily-bars');
        },
      ],
      list: [
        async () => {
          scheduler
            .on(ListSchedulesCommand)
            .resolves({ Schedules: [{ Name: 'daily-bars' }] })
            .on(GetScheduleCommand)
            .resolves({ Name: 'daily-bars' });
          await store.list();
        },
      ],
    };
    for (const [method, runs] of Object.entries(paths) as [ScheduleStoreMethod, (() => Promise<unknown>)[]][]) {
      const used = new Set<string>();
      for (const run of runs) for (const action of await actionsOf(run)) used.add(action);
      expect([...used].sort(), method).toEqual([...schedulerActionsOf[method]].sort());
    }
  });
});
