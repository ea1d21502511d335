import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startFakeAdminApi } from '#test/fixtures/cli-harness.ts';

let api: Awaited<ReturnType<typeof startFakeAdminApi>> | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('moomoo alerts and the preview calendar', () => {
  it('lists the open alerts, one line each, and says when there are none', async () => {
    let alerts: Record<string, unknown>[] = [
      { kind: 'group-late', groupId: 'bars', message: 'group bars has no succeeded run for 2026-11-27' },
      { kind: 'dead-letters', queue: 'schedule ticks', messages: 2, message: '2 message(s) in the schedule ticks' },
    ];
    api = await startFakeAdminApi((request) =>
      request.method === 'GET' && request.path === '/alerts' ? { status: 200, body: { alerts } } : undefined,
    );
    const open = await runCli(['alerts'], { url: api.url });
    expect(open.exitCode).toBe(0);
    expect(open.stdout).toBe(
      'group-late\tgroup bars has no succeeded run for 2026-11-27\ndead-letters\t2 message(s) in the schedule ticks\n',
    );
    alerts = [];
    const none = await runCli(['alerts'], { url: api.url });
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('no open alerts');
  });

  it('asks the preview for the JPX calendar and shows the holidays it marks', async () => {
    api = await startFakeAdminApi((request) =>
      request.path === '/schedules/preview'
        ? {
            status: 200,
            body: {
              awsExpression: 'cron(30 17 ? * MON-FRI *)',
              timezone: 'Asia/Tokyo',
              nextFireTimes: [
                {
                  at: '2026-11-23T08:30:00.000Z',
                  local: '2026-11-23T17:30:00+09:00',
                  businessDate: '2026-11-23',
                  skip: 'market-holiday',
                },
              ],
            },
          }
        : undefined,
    );
    const outcome = await runCli(['groups', 'preview', '--schedule', '30 17 * * 1-5', '--calendar', 'jpx'], {
      url: api.url,
    });
    expect(outcome.exitCode).toBe(0);
    expect(api.requests[0]?.body).toEqual({ schedule: '30 17 * * 1-5', calendar: 'jpx' });
    expect(outcome.stdout).toContain('market-holiday');
    const wrong = await runCli(['groups', 'preview', '--schedule', '30 17 * * 1-5', '--calendar', 'nyse'], {
      url: api.url,
    });
    expect(wrong.exitCode).toBe(2);
  });
});
