import { describe, expect, it } from 'vitest';
import { aGroupDraft, anAdminApi } from '#test/fixtures/admin-api-harness.ts';

describe('admin API: job groups', () => {
  it('creates a group with the slug of its name as id and answers 201 with its location', async () => {
    const { request } = anAdminApi();
    const response = await request('POST', '/groups', aGroupDraft({ name: 'Daily Bars (Prime)' }));
    expect(response.status).toBe(201);
    expect(response.headers.location).toBe('/groups/daily-bars-prime');
    expect(response.body).toMatchObject({
      id: 'daily-bars-prime',
      timezone: 'Asia/Tokyo',
      enabled: true,
      pause: null,
      version: 1,
      createdAt: '2026-11-27T00:00:00.000Z',
    });
    expect((await request('GET', '/groups/daily-bars-prime')).body.name).toBe('Daily Bars (Prime)');
  });

  it('lists groups', async () => {
    const { request } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'b' }));
    await request('POST', '/groups', aGroupDraft({ id: 'a' }));
    expect((await request('GET', '/groups')).body.groups.map((group: { id: string }) => group.id)).toEqual(['a', 'b']);
  });

  it('lists a stored group that no longer parses apart under unreadable and still answers 200', async () => {
    const { request, groupStore } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'fine' }));
    await groupStore.putRawItem({ id: 'corrupt', name: 'Corrupt', schedule: 1730 });
    const response = await request('GET', '/groups');
    expect(response.status).toBe(200);
    expect(response.body.groups.map((group: { id: string }) => group.id)).toEqual(['fine']);
    expect(response.body.unreadable).toEqual([
      { id: 'corrupt', error: expect.stringMatching(/^dataSource: .+ more\)$/) },
    ]);
  });

  it('answers 409 when the id is taken and keeps the first group', async () => {
    const { request } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'bars', name: 'first' }));
    const response = await request('POST', '/groups', aGroupDraft({ id: 'bars', name: 'second' }));
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('already_exists');
    expect((await request('GET', '/groups/bars')).body.name).toBe('first');
  });

  it('patches with If-Match, bumps the version and re-validates', async () => {
    const { request } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'bars' }));
    const patched = await request('PATCH', '/groups/bars', { schedule: '0 18 * * 1-5' }, { 'If-Match': '"1"' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ schedule: '0 18 * * 1-5', version: 2 });
    expect(patched.headers.etag).toBe('"2"');
  });

  it('accepts the version in the body instead of If-Match', async () => {
    const { request } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'bars' }));
    const patched = await request('PATCH', '/groups/bars', { description: 'x', version: 1 });
    expect(patched.body).toMatchObject({ description: 'x', version: 2 });
  });

  it('answers 409 to a patch from a stale version and changes nothing', async () => {
    const { request, groupStore } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'bars' }));
    await request('PATCH', '/groups/bars', { description: 'first' }, { 'If-Match': '1' });
    const before = await groupStore.list();
    const response = await request('PATCH', '/groups/bars', { description: 'stale' }, { 'If-Match': '1' });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('version_conflict');
    expect(await groupStore.list()).toEqual(before);
  });

  it('answers 400 to a patch that says no version', async () => {
    const { request } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'bars' }));
    const response = await request('PATCH', '/groups/bars', { description: 'x' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('version_required');
  });

  it('pauses with a reason and until, and resumes', async () => {
    const { request } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'bars' }));
    const paused = await request('POST', '/groups/bars/pause', {
      reason: 'upstream maintenance',
      until: '2026-11-28T00:00:00Z',
    });
    expect(paused.status).toBe(200);
    expect(paused.body.pause).toEqual({
      reason: 'upstream maintenance',
      until: '2026-11-28T00:00:00Z',
      pausedAt: '2026-11-27T00:00:00.000Z',
    });
    const resumed = await request('POST', '/groups/bars/resume');
    expect(resumed.body).toMatchObject({ pause: null, version: 3 });
  });

  it('refuses a pause whose until has already passed', async () => {
    const { request } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'bars' }));
    const response = await request('POST', '/groups/bars/pause', { reason: 'x', until: '2026-11-26T00:00:00Z' });
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues[0].path).toBe('until');
  });

  it('deletes a group and answers 404 afterwards', async () => {
    const { request } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'bars' }));
    expect((await request('DELETE', '/groups/bars')).status).toBe(204);
    expect((await request('GET', '/groups/bars')).status).toBe(404);
    expect((await request('DELETE', '/groups/bars')).status).toBe(404);
  });

  it('refuses to delete a group another group depends on', async () => {
    const { request } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'master' }));
    await request('POST', '/groups', aGroupDraft({ id: 'bars', dependsOn: ['master'] }));
    const response = await request('DELETE', '/groups/master');
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain("'bars'");
  });
});
