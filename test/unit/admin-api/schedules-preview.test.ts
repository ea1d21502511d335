import { describe, expect, it } from 'vitest';
import { requireDataset } from '#shared/datasets/registry.ts';
import { anAdminApi } from '#test/fixtures/admin-api-harness.ts';
import { aCalendarDay } from '#test/fixtures/builders.ts';

interface FireTime {
  readonly at: string;
  readonly local: string;
  readonly businessDate: string;
}

const issuePaths = (body: { error: { details?: { issues?: { path: string }[] } } }): string[] =>
  (body.error.details?.issues ?? []).map((issue) => issue.path);

describe('admin API: POST /schedules/preview', () => {
  it('returns the normalised schedule, the AWS expression and five fire times from now by default', async () => {
    const { request } = anAdminApi();
    const response = await request('POST', '/schedules/preview', { schedule: ' 30  17 * * mon-fri ' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      schedule: '30 17 * * MON-FRI',
      timezone: 'Asia/Tokyo',
      awsExpression: 'cron(30 17 ? * MON-FRI *)',
      nextFireTimes: [
        { at: '2026-11-27T08:30:00.000Z', local: '2026-11-27T17:30:00+09:00', businessDate: '2026-11-27' },
        { at: '2026-11-30T08:30:00.000Z', local: '2026-11-30T17:30:00+09:00', businessDate: '2026-11-30' },
        { at: '2026-12-01T08:30:00.000Z', local: '2026-12-01T17:30:00+09:00', businessDate: '2026-12-01' },
        { at: '2026-12-02T08:30:00.000Z', local: '2026-12-02T17:30:00+09:00', businessDate: '2026-12-02' },
        { at: '2026-12-03T08:30:00.000Z', local: '2026-12-03T17:30:00+09:00', businessDate: '2026-12-03' },
      ],
    });
  });

  it('gives the business date in the schedule timezone, not in UTC', async () => {
    const { request } = anAdminApi();
    const response = await request('POST', '/schedules/preview', { schedule: '0 8 * * *', count: 1 });
    expect(response.body.nextFireTimes).toEqual([
      { at: '2026-11-27T23:00:00.000Z', local: '2026-11-28T08:00:00+09:00', businessDate: '2026-11-28' },
    ]);
  });

  it('returns count fire times, up to 100', async () => {
    const { request } = anAdminApi();
    const three = await request('POST', '/schedules/preview', { schedule: '0 * * * *', count: 3 });
    expect(three.body.nextFireTimes.map((fire: FireTime) => fire.at)).toEqual([
      '2026-11-27T01:00:00.000Z',
      '2026-11-27T02:00:00.000Z',
      '2026-11-27T03:00:00.000Z',
    ]);
    const hundred = await request('POST', '/schedules/preview', { schedule: '0 * * * *', count: 100 });
    expect(hundred.status).toBe(200);
    expect(hundred.body.nextFireTimes).toHaveLength(100);
  });

  it('answers 400 naming count to a count over 100 or under 1', async () => {
    const { request } = anAdminApi();
    for (const count of [101, 0, 2.5]) {
      const response = await request('POST', '/schedules/preview', { schedule: '0 * * * *', count });
      expect(response.status, String(count)).toBe(400);
      expect(issuePaths(response.body), String(count)).toEqual(['count']);
    }
  });

  it('previews from the after instant instead of now', async () => {
    const { request } = anAdminApi();
    const response = await request('POST', '/schedules/preview', {
      schedule: '0 9 1 * *',
      timezone: 'UTC',
      count: 2,
      after: '2027-03-01T09:00:00+00:00',
    });
    expect(response.status).toBe(200);
    expect(response.body.awsExpression).toBe('cron(0 9 1 * ? *)');
    expect(response.body.nextFireTimes).toEqual([
      { at: '2027-04-01T09:00:00.000Z', local: '2027-04-01T09:00:00+00:00', businessDate: '2027-04-01' },
      { at: '2027-05-01T09:00:00.000Z', local: '2027-05-01T09:00:00+00:00', businessDate: '2027-05-01' },
    ]);
  });

  it('shows the offset change of a New York schedule across the end of daylight saving time', async () => {
    const { request } = anAdminApi();
    const response = await request('POST', '/schedules/preview', {
      schedule: '0 9 * * *',
      timezone: 'America/New_York',
      count: 4,
      after: '2026-10-30T00:00:00Z',
    });
    expect(response.status).toBe(200);
    expect(response.body.nextFireTimes).toEqual([
      { at: '2026-10-30T13:00:00.000Z', local: '2026-10-30T09:00:00-04:00', businessDate: '2026-10-30' },
      { at: '2026-10-31T13:00:00.000Z', local: '2026-10-31T09:00:00-04:00', businessDate: '2026-10-31' },
      { at: '2026-11-01T14:00:00.000Z', local: '2026-11-01T09:00:00-05:00', businessDate: '2026-11-01' },
      { at: '2026-11-02T14:00:00.000Z', local: '2026-11-02T09:00:00-05:00', businessDate: '2026-11-02' },
    ]);
  });

  it('answers 400 naming schedule to an invalid cron', async () => {
    const { request } = anAdminApi();
    for (const schedule of ['61 * * * *', '0 9 * *', '@daily', 'banana']) {
      const response = await request('POST', '/schedules/preview', { schedule });
      expect(response.status, schedule).toBe(400);
      expect(issuePaths(response.body), schedule).toEqual(['schedule']);
    }
  });

  it('answers 400 naming schedule to a cron restricting both day-of-month and day-of-week', async () => {
    const { request } = anAdminApi();
    const response = await request('POST', '/schedules/preview', { schedule: '0 9 1 * 1' });
    expect(response.status).toBe(400);
    expect(issuePaths(response.body)).toEqual(['schedule']);
    expect(response.body.error.details.issues[0].message).toMatch(/day-of-month OR day-of-week/);
  });

  it('answers 400 naming timezone to an unknown or non-IANA timezone', async () => {
    const { request } = anAdminApi();
    for (const timezone of ['Mars/Olympus', '+09:00', '']) {
      const response = await request('POST', '/schedules/preview', { schedule: '0 9 * * *', timezone });
      expect(response.status, timezone).toBe(400);
      expect(issuePaths(response.body), timezone).toEqual(['timezone']);
    }
  });

  it('answers 400 to a missing schedule, unknown fields or a malformed after', async () => {
    const { request } = anAdminApi();
    expect(issuePaths((await request('POST', '/schedules/preview', { timezone: 'UTC' })).body)).toEqual(['schedule']);
    const unknown = await request('POST', '/schedules/preview', { schedule: '0 9 * * *', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.issues[0].message).toContain('colour');
    const badAfter = await request('POST', '/schedules/preview', { schedule: '0 9 * * *', after: 'yesterday' });
    expect(issuePaths(badAfter.body)).toEqual(['after']);
  });

  it('marks fire times on JPX holidays with calendar jpx, and says whether the stored calendar covers them', async () => {
    const { request, marketData } = anAdminApi();
    // The stored calendar: Monday 2026-11-30 closed (as if a holiday), the other days of the week open.
    await marketData.upsertRows(requireDataset('jquants.markets.calendar'), [
      ...['2026-11-27', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'].map((date) => aCalendarDay(date, '1')),
      ...['2026-11-28', '2026-11-29', '2026-11-30'].map((date) => aCalendarDay(date, '0')),
    ]);
    const preview = async (body: Record<string, unknown>) =>
      (await request('POST', '/schedules/preview', { schedule: '30 17 * * 1-5', ...body })).body;
    const jpx = await preview({ calendar: 'jpx' });
    expect(
      jpx.nextFireTimes.map((fireTime: FireTime & { skip?: string }) => [fireTime.businessDate, fireTime.skip]),
    ).toEqual([
      ['2026-11-27', undefined],
      ['2026-11-30', 'market-holiday'],
      ['2026-12-01', undefined],
      ['2026-12-02', undefined],
      ['2026-12-03', undefined],
    ]);
    expect(jpx.calendarCovered).toBe(true);
    // Without a calendar (the default) nothing is marked.
    const none = await preview({});
    expect(none.nextFireTimes.some((fireTime: { skip?: string }) => fireTime.skip !== undefined)).toBe(false);
    expect(none.calendarCovered).toBeUndefined();
    // Past what the calendar covers, the days it knows are still marked, and it says it does not cover them all.
    const longer = await preview({ calendar: 'jpx', count: 10 });
    expect(longer.calendarCovered).toBe(false);
    expect(longer.nextFireTimes[1].skip).toBe('market-holiday');
    expect(longer.nextFireTimes.filter((fireTime: { skip?: string }) => fireTime.skip !== undefined)).toHaveLength(1);
  });

  it('refuses an unknown calendar with a 400 naming the field', async () => {
    const { request } = anAdminApi();
    const response = await request('POST', '/schedules/preview', { schedule: '30 17 * * 1-5', calendar: 'nyse' });
    expect(response.status).toBe(400);
    expect(issuePaths(response.body)).toEqual(['calendar']);
  });
});
