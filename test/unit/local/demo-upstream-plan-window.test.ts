import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoUpstream, startDemoUpstream } from '#infra/local/demo-upstream/demo-upstream.ts';
import { todayInTokyo } from '#infra/local/demo-upstream/jquants-params.ts';
import { dateOutsideWindow, demoPlanWindow, outsidePlanAnswer } from '#infra/local/demo-upstream/plan-window.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import { getJquants } from '#test/unit/local/demo-upstream-client.ts';

const reader = (params: Record<string, string>) => ({
  text: (name: string) => params[name],
  date: (name: string) => params[name],
  has: (name: string) => params[name] !== undefined,
});

describe('demo upstream: the plans’ windows (jquants-v2.md §2)', () => {
  it('serves Free 2 years back and withholds its newest 12 weeks', () => {
    expect(demoPlanWindow('free', '2026-12-05')).toEqual({
      plan: 'free',
      earliest: '2024-12-05',
      latest: '2026-09-12',
    });
  });

  it('serves Light 5, Standard 10 and Premium 20 years back, withholding nothing', () => {
    expect(demoPlanWindow('light', '2026-12-05')).toEqual({ plan: 'light', earliest: '2021-12-05' });
    expect(demoPlanWindow('standard', '2026-12-05')).toEqual({ plan: 'standard', earliest: '2016-12-05' });
    expect(demoPlanWindow('premium', '2026-12-05')).toEqual({ plan: 'premium', earliest: '2006-12-05' });
  });

  it('counts back from 29 February to the 28th of a year with no leap day', () => {
    expect(demoPlanWindow('free', '2028-02-29').earliest).toBe('2026-02-28');
    expect(demoPlanWindow('premium', '2028-02-29').earliest).toBe('2008-02-28');
  });

  it('includes both ends of a window and refuses the day beyond each', () => {
    const window = demoPlanWindow('free', '2026-12-05');
    expect(dateOutsideWindow(reader({ date: '2024-12-05' }), window)).toBeUndefined();
    expect(dateOutsideWindow(reader({ date: '2026-09-12' }), window)).toBeUndefined();
    expect(dateOutsideWindow(reader({ date: '2024-12-04' }), window)).toBe('2024-12-04');
    expect(dateOutsideWindow(reader({ date: '2026-09-13' }), window)).toBe('2026-09-13');
  });

  it('refuses a range with either end outside, and passes a request naming no date', () => {
    const window = demoPlanWindow('free', '2026-12-05');
    expect(dateOutsideWindow(reader({ code: '72030', from: '2025-01-06', to: '2025-12-30' }), window)).toBeUndefined();
    expect(dateOutsideWindow(reader({ code: '72030', from: '2024-06-03', to: '2025-01-31' }), window)).toBe(
      '2024-06-03',
    );
    expect(dateOutsideWindow(reader({ code: '72030', from: '2026-08-03', to: '2026-11-30' }), window)).toBe(
      '2026-11-30',
    );
    expect(dateOutsideWindow(reader({ code: '72030' }), window)).toBeUndefined();
  });

  it('lets a paid plan ask for today and later: nothing is withheld, there is just nothing yet', () => {
    const window = demoPlanWindow('light', '2026-12-05');
    expect(dateOutsideWindow(reader({ date: '2026-12-05' }), window)).toBeUndefined();
    expect(dateOutsideWindow(reader({ date: '2027-01-04' }), window)).toBeUndefined();
    expect(dateOutsideWindow(reader({ date: '2021-12-03' }), window)).toBe('2021-12-03');
  });

  it('answers 403 with a message naming the plan and its window, unlike the bad-key body', () => {
    const answer = outsidePlanAnswer(demoPlanWindow('free', '2026-12-05'));
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({
      message: 'The requested period is not covered by your subscription plan (Free: 2024-12-05 ~ 2026-09-12).',
    });
  });
});

describe('demo upstream: a key on the Free plan', () => {
  let upstream: DemoUpstream;
  const today = todayInTokyo();
  const threeYearsBack = addDays(today, -3 * 365);
  const halfAYearBack = addDays(today, -182);

  beforeAll(async () => {
    upstream = await startDemoUpstream({ requestsPerMinute: 0, plan: 'free', listedCodeCount: 20 });
  });

  afterAll(async () => {
    await upstream.close();
  });

  it('answers 403 for a date outside the window and 200 inside it', async () => {
    const outside = await getJquants(upstream, '/equities/bars/daily', { date: threeYearsBack });
    expect(outside.status).toBe(403);
    expect(outside.json.message).toContain('(Free: ');
    expect(outside.json.message).not.toBe('The incoming api key is invalid or expired.');
    expect((await getJquants(upstream, '/equities/bars/daily', { date: addDays(today, -1) })).status).toBe(403);
    expect((await getJquants(upstream, '/equities/bars/daily', { date: halfAYearBack })).status).toBe(200);
    expect(
      (await getJquants(upstream, '/equities/bars/daily', { code: '72030', from: threeYearsBack, to: halfAYearBack }))
        .status,
    ).toBe(403);
  });

  it('checks the key and the params before the window: 403 for a bad key, 400 for an impossible date', async () => {
    const badKey = await getJquants(upstream, '/equities/bars/daily', { date: threeYearsBack }, 'wrong-key');
    expect(badKey.json).toEqual({ message: 'The incoming api key is invalid or expired.' });
    expect((await getJquants(upstream, '/equities/bars/daily', { date: '20240230' })).status).toBe(400);
  });

  it('switches plans over HTTP under /__demo, and shows the plan with its window', async () => {
    const switched = await fetch(`${upstream.url}/__demo/plan`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ plan: 'light' }),
    });
    expect(switched.status).toBe(204);
    expect(await (await fetch(`${upstream.url}/__demo/plan`)).json()).toEqual(demoPlanWindow('light', today));
    expect((await getJquants(upstream, '/equities/bars/daily', { date: threeYearsBack })).status).toBe(200);
    expect((await getJquants(upstream, '/equities/bars/daily', { date: addDays(today, -1) })).status).toBe(200);

    upstream.setPlan('free');
    expect(upstream.planWindow()).toEqual(demoPlanWindow('free', today));
    expect((await getJquants(upstream, '/equities/bars/daily', { date: threeYearsBack })).status).toBe(403);
    const refused = await fetch(`${upstream.url}/__demo/plan`, { method: 'PUT', body: '{"plan":"gold"}' });
    expect(refused.status).toBe(400);
  });
});
