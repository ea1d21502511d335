import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Sandbox, startSandbox } from '#infra/local/sandbox.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { adminClient, eventually, scheduleInspector } from '#test/fixtures/sandbox-client.ts';

const lines: string[] = [];
const clock = new FakeClock('2026-11-26T15:00:00.000Z');
let sandbox: Sandbox;
let request: ReturnType<typeof adminClient>;
let schedules: ReturnType<typeof scheduleInspector>;

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    awsEndpoint: inject('motoEndpoint'),
    clock,
    autoTick: false,
    reconcileIntervalMs: 3_600_000,
    seedDemoGroups: false,
    print: (line) => lines.push(line),
  });
  request = adminClient(sandbox);
  schedules = scheduleInspector(sandbox);
});

afterAll(async () => {
  await sandbox?.stop();
});

const weekdayBars = {
  id: 'daily-bars',
  name: 'Daily bars',
  dataSource: 'jquants',
  dataset: 'jquants.equities.bars.daily',
  schedule: '30 17 * * 1-5',
  parametersTemplate: { code: { $each: ['72030', '130A0'] }, date: '{{businessDate}}' },
};

describe('control plane through the sandbox', () => {
  it('refuses requests without the admin token', async () => {
    const response = await fetch(`${sandbox.adminUrl}/groups`);
    expect(response.status).toBe(401);
  });

  it('creates a group and its schedule appears with the AWS expression, timezone and state', async () => {
    const created = await request('POST', '/groups', weekdayBars);
    expect(created.status).toBe(201);
    const schedule = await eventually(() => schedules.get('daily-bars'));
    expect(schedule).toMatchObject({
      ScheduleExpression: 'cron(30 17 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Asia/Tokyo',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
    expect(JSON.parse(schedule.Target?.Input ?? '{}')).toEqual({
      groupId: 'daily-bars',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
  });

  it('follows a patched cron and timezone', async () => {
    const patched = await request(
      'PATCH',
      '/groups/daily-bars',
      { schedule: '0 18 * * MON-FRI', timezone: 'UTC' },
      { 'if-match': '1' },
    );
    expect(patched.status).toBe(200);
    await eventually(async () => {
      const schedule = await schedules.get('daily-bars');
      return (
        schedule?.ScheduleExpression === 'cron(0 18 ? * MON-FRI *)' && schedule.ScheduleExpressionTimezone === 'UTC'
      );
    });
  });

  it('disables the schedule on pause and enables it on resume', async () => {
    expect((await request('POST', '/groups/daily-bars/pause', { reason: 'vendor maintenance' })).status).toBe(200);
    await eventually(async () => (await schedules.get('daily-bars'))?.State === 'DISABLED');
    expect((await request('POST', '/groups/daily-bars/resume')).status).toBe(200);
    await eventually(async () => (await schedules.get('daily-bars'))?.State === 'ENABLED');
  });

  it('changes neither the group nor its schedule on a stale patch', async () => {
    const stale = await request('PATCH', '/groups/daily-bars', { schedule: '0 1 * * *' }, { 'if-match': '1' });
    expect(stale.status).toBe(409);
    await sandbox.syncSchedules();
    expect((await schedules.get('daily-bars'))?.ScheduleExpression).toBe('cron(0 18 ? * MON-FRI *)');
  });

  it('removes the schedule when the group is deleted', async () => {
    expect((await request('DELETE', '/groups/daily-bars')).status).toBe(204);
    await eventually(async () => (await schedules.get('daily-bars')) === undefined);
  });

  it('restores a schedule deleted behind its back when the reconciler runs', async () => {
    await request('POST', '/groups', {
      ...weekdayBars,
      id: 'topix',
      dataset: 'jquants.indices.topix.daily',
      parametersTemplate: {},
    });
    await eventually(() => schedules.get('topix'));
    await schedules.delete('topix');
    expect(await schedules.get('topix')).toBeUndefined();
    await sandbox.reconcile();
    expect(await schedules.get('topix')).toMatchObject({
      ScheduleExpression: 'cron(30 17 ? * MON-FRI *)',
      State: 'ENABLED',
    });
    await request('DELETE', '/groups/topix');
    await eventually(async () => (await schedules.get('topix')) === undefined);
  });

  it('fires a */15 9-15 weekday group 28 times on a Tokyo trading day, at the right instants', async () => {
    await request('POST', '/groups', { ...weekdayBars, id: 'intraday', schedule: '*/15 9-15 * * 1-5' });
    await eventually(() => schedules.get('intraday'));
    // Friday 2026-11-27 00:00 JST, then the whole day in one step of the fake clock.
    clock.set('2026-11-26T15:00:00.000Z');
    await sandbox.scheduler.tick();
    clock.set('2026-11-27T15:00:00.000Z');
    const firings = await sandbox.scheduler.tick();
    const expected = Array.from({ length: 28 }, (_, index) => {
      const minutes = 9 * 60 + index * 15 - 9 * 60; // JST hour 9 is 00:00 UTC
      return new Date(Date.UTC(2026, 10, 27, 0, minutes)).toISOString().replace('.000Z', 'Z');
    });
    expect(firings.map((firing) => firing.scheduledTime)).toEqual(expected);
    expect(firings.every((firing) => (firing.payload as { groupId: string }).groupId === 'intraday')).toBe(true);
    expect(lines.filter((line) => line.startsWith('schedule fired: intraday'))).toHaveLength(28);
  });

  it('fires nothing for a paused group, and nothing on the weekend', async () => {
    clock.set('2026-11-27T15:00:00.000Z');
    await sandbox.scheduler.tick();
    clock.set('2026-11-29T15:00:00.000Z');
    expect(await sandbox.scheduler.tick()).toEqual([]);
    await request('POST', '/groups/intraday/pause', { reason: 'holiday' });
    await eventually(async () => (await schedules.get('intraday'))?.State === 'DISABLED');
    clock.set('2026-11-30T15:00:00.000Z');
    expect(await sandbox.scheduler.tick()).toEqual([]);
  });
});
