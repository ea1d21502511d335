import { describe, expect, it } from 'vitest';
import { anAdminApi } from '#test/fixtures/admin-api-harness.ts';

const issuePaths = (body: { error: { details?: { issues?: { path: string }[] } } }): string[] =>
  (body.error.details?.issues ?? []).map((issue) => issue.path);

/** A fresh API, and a check that a request changes no stored data-source setting. */
async function withJquantsOnStandard() {
  const harness = anAdminApi();
  await harness.request('PATCH', '/data-sources/jquants', { plan: 'standard' });
  const snapshot = async () => ({
    jquants: await harness.settingsStore.get('jquants'),
    yahoo: await harness.settingsStore.get('yahoo'),
  });
  const before = await snapshot();
  return { ...harness, assertUnchanged: async () => expect(await snapshot()).toEqual(before) };
}

describe('admin API: data sources', () => {
  it('lists jquants on the free plan at 5 requests a minute, and yahoo, before anything is configured', async () => {
    const { request } = anAdminApi();
    const response = await request('GET', '/data-sources');
    expect(response.status).toBe(200);
    expect(response.body.dataSources).toEqual([
      {
        id: 'jquants',
        plan: 'free',
        rateLimit: { limit: 5, per: 'minute' },
        updatedAt: '2026-11-27T00:00:00.000Z',
        version: 0,
      },
      { id: 'yahoo', rateLimit: { limit: 60, per: 'minute' }, updatedAt: '2026-11-27T00:00:00.000Z', version: 0 },
    ]);
  });

  it('sets the jquants plan, which sets its rate limit, and bumps the version', async () => {
    const { request, clock } = anAdminApi();
    clock.advance(60_000);
    const response = await request('PATCH', '/data-sources/jquants', { plan: 'standard' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: 'jquants',
      plan: 'standard',
      rateLimit: { limit: 120, per: 'minute' },
      updatedAt: '2026-11-27T00:01:00.000Z',
      version: 1,
    });
    const listed = (await request('GET', '/data-sources')).body.dataSources;
    expect(listed[0]).toEqual(response.body);
  });

  it('overrides the plan with an explicit rate limit and returns to the plan default on rateLimit null', async () => {
    const { request } = await withJquantsOnStandard();
    const overridden = await request('PATCH', '/data-sources/jquants', { rateLimit: { limit: 100, per: 'minute' } });
    expect(overridden.status).toBe(200);
    expect(overridden.body).toMatchObject({
      plan: 'standard',
      rateLimitSetting: { limit: 100, per: 'minute' },
      rateLimit: { limit: 100, per: 'minute' },
      version: 2,
    });
    const reset = await request('PATCH', '/data-sources/jquants', { rateLimit: null });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ plan: 'standard', rateLimit: { limit: 120, per: 'minute' }, version: 3 });
    expect(reset.body).not.toHaveProperty('rateLimitSetting');
  });

  it('keeps an explicit rate limit when only the plan changes', async () => {
    const { request } = await withJquantsOnStandard();
    await request('PATCH', '/data-sources/jquants', { rateLimit: { limit: 30, per: 'second' } });
    const response = await request('PATCH', '/data-sources/jquants', { plan: 'premium' });
    expect(response.body).toMatchObject({ plan: 'premium', rateLimit: { limit: 30, per: 'second' }, version: 3 });
  });

  it('sets a rate limit on yahoo', async () => {
    const { request } = anAdminApi();
    const response = await request('PATCH', '/data-sources/yahoo', { rateLimit: { limit: 1, per: 'second' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: 'yahoo', rateLimit: { limit: 1, per: 'second' }, version: 1 });
  });

  it('accepts a write based on the current version, from If-Match or the body', async () => {
    const { request } = await withJquantsOnStandard();
    const byHeader = await request('PATCH', '/data-sources/jquants', { plan: 'light' }, { 'If-Match': '"1"' });
    expect(byHeader.body).toMatchObject({ plan: 'light', version: 2 });
    const byBody = await request('PATCH', '/data-sources/jquants', { plan: 'premium', version: 2 });
    expect(byBody.body).toMatchObject({ plan: 'premium', version: 3 });
  });

  it('answers 409 to a write based on a stale version and changes nothing', async () => {
    const { request, assertUnchanged } = await withJquantsOnStandard();
    const byHeader = await request('PATCH', '/data-sources/jquants', { plan: 'premium' }, { 'If-Match': '"0"' });
    expect(byHeader.status).toBe(409);
    expect(byHeader.body.error.code).toBe('version_conflict');
    const byBody = await request('PATCH', '/data-sources/yahoo', { rateLimit: null, version: 4 });
    expect(byBody.status).toBe(409);
    await assertUnchanged();
  });

  it('answers 400 naming plan to a plan for yahoo and changes nothing', async () => {
    const { request, assertUnchanged } = await withJquantsOnStandard();
    const response = await request('PATCH', '/data-sources/yahoo', { plan: 'standard' });
    expect(response.status).toBe(400);
    expect(issuePaths(response.body)).toEqual(['plan']);
    await assertUnchanged();
  });

  it('answers 400 naming the id path parameter to an unknown data source', async () => {
    const { request, assertUnchanged } = await withJquantsOnStandard();
    const response = await request('PATCH', '/data-sources/bloomberg', { rateLimit: { limit: 1, per: 'second' } });
    expect(response.status).toBe(400);
    expect(issuePaths(response.body)).toEqual(['path.id']);
    await assertUnchanged();
  });

  it('answers 400 to unknown fields, unknown plans and bad rate limits, and changes nothing', async () => {
    const { request, assertUnchanged } = await withJquantsOnStandard();
    const unknown = await request('PATCH', '/data-sources/jquants', { plan: 'light', apiKey: 'secret' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.issues[0].message).toContain('apiKey');
    const badPlan = await request('PATCH', '/data-sources/jquants', { plan: 'gold' });
    expect(issuePaths(badPlan.body)).toEqual(['plan']);
    for (const rateLimit of [{ limit: 0, per: 'minute' }, { limit: 5, per: 'day' }, { limit: 5 }, 5]) {
      const response = await request('PATCH', '/data-sources/jquants', { rateLimit });
      expect(response.status, JSON.stringify(rateLimit)).toBe(400);
      expect(issuePaths(response.body)[0], JSON.stringify(rateLimit)).toMatch(/^rateLimit/);
    }
    await assertUnchanged();
  });

  it('takes a request slot of the data source before the credentials check calls the upstream', async () => {
    const { request, rateLimiter, dataSource } = anAdminApi();
    const response = await request('POST', '/data-sources/jquants/check');
    expect(response.status).toBe(200);
    expect(rateLimiter.acquired).toEqual([
      expect.objectContaining({ dataSource: 'jquants', endpoint: '/markets/calendar' }),
    ]);
    expect(dataSource.credentialChecks).toBe(1);
  });

  it('answers 429 with Retry-After when no request slot comes in time, and neither calls the upstream nor records health', async () => {
    const { request, rateLimiter, dataSource, settingsStore } = anAdminApi();
    rateLimiter.deferMs = 42_500;
    const response = await request('POST', '/data-sources/jquants/check');
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('43');
    expect(response.body.error).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: 43 } });
    expect(response.body.error.message).toContain('jquants has no free request slot for 43 s');
    expect(dataSource.credentialChecks).toBe(0);
    expect(await settingsStore.getHealth('jquants')).toBeUndefined();
  });
});
