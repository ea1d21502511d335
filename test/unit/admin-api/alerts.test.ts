import { describe, expect, it } from 'vitest';
import { aGroupDraft, anAdminApi } from '#test/fixtures/admin-api-harness.ts';
import { aRun } from '#test/fixtures/builders.ts';

/** A group due by 18:00 Tokyo on weekdays, off the JPX calendar (so the stored calendar does not matter). */
const dueBy18 = aGroupDraft({ id: 'bars', calendar: 'none', schedule: '30 17 * * 1-5', expectBy: '18:00' });

describe('freshness and GET /alerts', () => {
  it('answers no alerts, and health ok, when nothing needs anyone', async () => {
    const admin = anAdminApi();
    expect((await admin.request('POST', '/groups', dueBy18)).status).toBe(201);
    // Friday 2026-11-27 09:00 Tokyo: before expectBy.
    admin.clock.set('2026-11-27T00:00:00.000Z');
    expect((await admin.request('GET', '/groups/bars')).body.health).toEqual({ state: 'ok' });
    expect((await admin.request('GET', '/alerts')).body).toEqual({ alerts: [] });
  });

  it('shows a group late past its expectBy without a succeeded run of today, and ok once one succeeds', async () => {
    const admin = anAdminApi();
    await admin.request('POST', '/groups', dueBy18);
    // Friday 18:05 Tokyo; the 17:30 run is still going.
    admin.clock.set('2026-11-27T09:05:00.000Z');
    await admin.runLedger.claimRun(aRun({ runId: 'bars.1', groupId: 'bars', businessDate: '2026-11-27' }));
    const late = { state: 'late', since: '2026-11-27T09:00:00.000Z', businessDate: '2026-11-27' };
    expect((await admin.request('GET', '/groups/bars')).body.health).toEqual(late);
    expect((await admin.request('GET', '/alerts')).body.alerts).toEqual([
      {
        kind: 'group-late',
        groupId: 'bars',
        since: late.since,
        businessDate: '2026-11-27',
        message: 'group bars has no succeeded run for 2026-11-27 past its expectBy 18:00',
      },
    ]);
    // Yesterday's success does not count; today's does.
    await admin.runLedger.claimRun(
      aRun({ runId: 'bars.0', groupId: 'bars', businessDate: '2026-11-26', status: 'succeeded' }),
    );
    expect((await admin.request('GET', '/groups/bars')).body.health.state).toBe('late');
    await admin.runLedger.claimRun(
      aRun({ runId: 'bars.2', groupId: 'bars', businessDate: '2026-11-27', status: 'succeeded' }),
    );
    expect((await admin.request('GET', '/groups/bars')).body.health).toEqual({ state: 'ok' });
  });

  it('never calls a group late on a day it does not run, nor while it is paused', async () => {
    const admin = anAdminApi();
    await admin.request('POST', '/groups', dueBy18);
    // Saturday 2026-11-28 20:00 Tokyo: the weekday schedule does not fire.
    admin.clock.set('2026-11-28T11:00:00.000Z');
    expect((await admin.request('GET', '/groups/bars')).body.health).toEqual({ state: 'ok' });
    admin.clock.set('2026-11-27T11:00:00.000Z');
    await admin.request('POST', '/groups/bars/pause', { reason: 'vendor outage' });
    expect((await admin.request('GET', '/groups/bars')).body.health).toEqual({ state: 'ok' });
  });

  it('lists paused data sources, non-empty dead-letter queues, a short JPX calendar and stuck runs', async () => {
    const admin = anAdminApi();
    admin.clock.set('2026-11-27T09:00:00.000Z');
    // A J-Quants group follows the JPX calendar, which nothing has stored.
    await admin.request('POST', '/groups', aGroupDraft({ id: 'jpx' }));
    await admin.rateLimiter.pause('jquants');
    admin.deadLetterDepths.set('schedule ticks', 2);
    await admin.runLedger.claimRun(
      aRun({ runId: 'jpx.stuck', groupId: 'jpx', deadlineAt: '2026-11-27T08:00:00.000Z' }),
    );
    const { alerts } = (await admin.request('GET', '/alerts')).body;
    expect(alerts.map((alert: { kind: string }) => alert.kind)).toEqual([
      'data-source-paused',
      'dead-letters',
      'calendar-coverage',
      'run-stuck',
    ]);
    expect(alerts[1]).toEqual({
      kind: 'dead-letters',
      queue: 'schedule ticks',
      messages: 2,
      message: '2 message(s) in the schedule ticks dead-letter queue',
    });
    expect(alerts[2]).toMatchObject({ from: '2026-11-27', to: '2026-12-27' });
    expect(alerts[3]).toMatchObject({ runId: 'jpx.stuck', since: '2026-11-27T08:00:00.000Z' });
  });

  it('lists a run that timed out within the last day', async () => {
    const admin = anAdminApi();
    admin.clock.set('2026-11-27T09:00:00.000Z');
    await admin.request('POST', '/groups', { ...dueBy18, expectBy: undefined });
    await admin.runLedger.claimRun(
      aRun({
        runId: 'bars.late',
        groupId: 'bars',
        status: 'failed',
        reason: 'timed out',
        finishedAt: '2026-11-27T07:00:00.000Z',
      }),
    );
    await admin.runLedger.claimRun(
      aRun({
        runId: 'bars.waited',
        groupId: 'bars',
        status: 'failed',
        reason: 'timed out waiting for prices',
        finishedAt: '2026-11-27T08:00:00.000Z',
      }),
    );
    expect((await admin.request('GET', '/alerts')).body.alerts).toEqual([
      expect.objectContaining({ kind: 'run-timed-out', runId: 'bars.late', since: '2026-11-27T07:00:00.000Z' }),
      expect.objectContaining({ kind: 'run-timed-out', runId: 'bars.waited', since: '2026-11-27T08:00:00.000Z' }),
    ]);
    admin.clock.set('2026-11-28T09:00:00.000Z');
    expect((await admin.request('GET', '/alerts')).body.alerts).toEqual([]);
  });
});
