import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '#infra/local/sandbox.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { adminClient, eventually, finishedRun, startDemoSandbox } from '#test/fixtures/sandbox-client.ts';

/**
 * Freshness and alerts through the sandbox: a group past its expectBy is late in `GET /groups/{id}` and
 * `GET /alerts` until a run of today succeeds, and a tick the scheduler could not deliver lands in the schedule
 * dead-letter queue, which `GET /alerts` shows.
 */
let sandbox: Sandbox;
let request: ReturnType<typeof adminClient>;
const lines: string[] = [];
// The scheduler engine runs on this clock; the admin API on the wall clock.
const schedulerClock = new FakeClock(new Date());

beforeAll(async () => {
  sandbox = await startDemoSandbox({ clock: schedulerClock }, lines);
  request = adminClient(sandbox);
});

afterAll(async () => {
  await sandbox?.stop();
});

beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(lines.join('\n'))));

describe('alerts through the sandbox', () => {
  it('shows a group late past its expectBy until a run of today succeeds', async () => {
    // Daily at midnight UTC, due by 00:00 UTC: today's deadline has passed, whatever the time of day (the
    // midnight tick came before the group existed, so nothing ran). Off the JPX calendar: any day counts.
    const created = await request('POST', '/groups', {
      id: 'fx-late',
      name: 'Toyota',
      dataSource: 'yahoo',
      dataset: 'yahoo.chart.daily',
      schedule: '0 0 * * *',
      timezone: 'UTC',
      expectBy: '00:00',
      parametersTemplate: { symbol: '7203.T', from: '{{businessDate-7d}}', to: '{{businessDate}}' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const today = new Date().toISOString().slice(0, 10);
    const health = (await request('GET', '/groups/fx-late')).body.health;
    expect(health).toEqual({ state: 'late', since: `${today}T00:00:00.000Z`, businessDate: today });
    const alerts = (await request('GET', '/alerts')).body.alerts;
    expect(alerts).toContainEqual(
      expect.objectContaining({ kind: 'group-late', groupId: 'fx-late', businessDate: today }),
    );

    const run = await request('POST', '/groups/fx-late/runs', {});
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    expect((await finishedRun(request, run.body.runId)).status).toBe('succeeded');
    expect((await request('GET', '/groups/fx-late')).body.health).toEqual({ state: 'ok' });
    const after = (await request('GET', '/alerts')).body.alerts;
    expect(after.filter((alert: { kind: string }) => alert.kind === 'group-late')).toEqual([]);
  });

  it('sends a tick the dispatcher cannot receive to the schedule dead-letter queue, and lists it', async () => {
    const scheduler = new SchedulerClient({
      endpoint: sandbox.awsEndpoint,
      region: process.env.AWS_REGION ?? 'ap-northeast-1',
    });
    // A schedule whose target is no function: Scheduler retries it under its policy, then dead-letters the tick.
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'ghost',
        GroupName: sandbox.environment.SCHEDULE_GROUP_NAME,
        ScheduleExpression: 'cron(* * * * ? *)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:gone',
          RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
          Input: '{"groupId":"ghost","scheduledTime":"<aws.scheduler.scheduled-time>"}',
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: sandbox.environment.SCHEDULE_DEAD_LETTER_QUEUE_ARN },
        },
      }),
    );
    schedulerClock.advance(60_000);
    const fired = await sandbox.scheduler.tick();
    expect(fired.map((firing) => firing.scheduleName)).toEqual(['ghost']);
    expect(lines.some((line) => line.includes('schedule target failed: ghost'))).toBe(true);
    const deadLetters = await eventually(async () => {
      const { alerts } = (await request('GET', '/alerts')).body;
      return alerts.find((alert: { kind: string; queue?: string }) => alert.queue === 'schedule ticks');
    });
    expect(deadLetters).toEqual({
      kind: 'dead-letters',
      queue: 'schedule ticks',
      messages: 1,
      message: '1 message(s) in the schedule ticks dead-letter queue',
    });
  });
});
