import {
  CreateScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EventBridgeScheduleStore,
  scheduleTargetInput,
  scheduleTargetRetryPolicy,
} from '#shared/adapters/event-bridge-schedule-store.ts';
import type { GroupSchedule } from '#shared/ports/schedule-store.ts';

const scheduler = mockClient(SchedulerClient);
const target = {
  targetArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:dispatch-run',
  roleArn: 'arn:aws:iam::123456789012:role/scheduler-invoke',
  deadLetterQueueArn: 'arn:aws:sqs:ap-northeast-1:123456789012:schedule-dead-letters',
};
const store = new EventBridgeScheduleStore({
  client: new SchedulerClient({ region: 'ap-northeast-1' }),
  groupName: 'moomoo-job-groups',
  ...target,
});
const schedule: GroupSchedule = {
  groupId: 'daily-bars',
  expression: 'cron(30 17 ? * MON-FRI *)',
  timezone: 'Asia/Tokyo',
  state: 'ENABLED',
};

/** A schedule as GetSchedule answers it, its target as the store writes it unless overridden. */
const stored = (targetOverrides: Record<string, unknown> = {}): GetScheduleCommandOutput => ({
  $metadata: {},
  Name: schedule.groupId,
  ScheduleExpression: schedule.expression,
  ScheduleExpressionTimezone: schedule.timezone,
  State: schedule.state,
  Target: {
    Arn: target.targetArn,
    RoleArn: target.roleArn,
    Input: scheduleTargetInput(schedule.groupId),
    RetryPolicy: { ...scheduleTargetRetryPolicy },
    DeadLetterConfig: { Arn: target.deadLetterQueueArn },
    ...targetOverrides,
  },
});

afterEach(() => {
  scheduler.reset();
});

describe('EventBridge Scheduler schedule targets', () => {
  it('gives every target the dead-letter queue and an explicit retry policy of an hour and five retries', async () => {
    scheduler
      .on(UpdateScheduleCommand)
      .rejects(new ResourceNotFoundException({ $metadata: {}, message: 'missing', Message: 'missing' }));
    scheduler.on(CreateScheduleCommand).resolves({});
    await store.upsert(schedule);
    const sent = [
      ...scheduler.commandCalls(UpdateScheduleCommand),
      ...scheduler.commandCalls(CreateScheduleCommand),
    ].map((call) => call.args[0].input);
    expect(sent).toHaveLength(2);
    for (const input of sent) {
      expect(input).toMatchObject({
        Target: {
          Arn: target.targetArn,
          RoleArn: target.roleArn,
          Input: scheduleTargetInput(schedule.groupId),
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 5 },
          DeadLetterConfig: { Arn: target.deadLetterQueueArn },
        },
      });
    }
  });

  it('reads a target written as it writes them as matching', async () => {
    scheduler.on(GetScheduleCommand).resolves(stored());
    expect(await store.get(schedule.groupId)).toEqual({ ...schedule, targetMatches: true });
  });

  it('reads a target without the dead-letter queue, with another one, or with another retry policy as drifted', async () => {
    for (const drift of [
      { DeadLetterConfig: undefined },
      { DeadLetterConfig: { Arn: 'arn:aws:sqs:ap-northeast-1:123456789012:elsewhere' } },
      { RetryPolicy: undefined },
      // What Scheduler (and moto) store when a target names no retry policy.
      { RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 } },
      { RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 0 } },
    ]) {
      scheduler.reset();
      scheduler.on(GetScheduleCommand).resolves(stored(drift));
      expect(await store.get(schedule.groupId), JSON.stringify(drift)).toMatchObject({ targetMatches: false });
    }
  });
});
