import { describe, expect, it } from 'vitest';
import { aGroupDraft, anAdminApi } from '#test/fixtures/admin-api-harness.ts';

/** A fresh API holding one group, and a check that a request changes nothing stored. */
async function withOneGroup() {
  const harness = anAdminApi();
  await harness.request('POST', '/groups', aGroupDraft({ id: 'bars' }));
  const snapshot = async () => ({
    groups: await harness.groupStore.list(),
    jquants: await harness.settingsStore.get('jquants'),
  });
  const before = await snapshot();
  return { ...harness, assertUnchanged: async () => expect(await snapshot()).toEqual(before) };
}

const issuePaths = (body: { error: { details?: { issues?: { path: string }[] } } }): string[] =>
  (body.error.details?.issues ?? []).map((issue) => issue.path);

describe('admin API: bad input gets a 4xx naming the field and changes nothing', () => {
  it('answers 400 to malformed JSON', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const response = await request('POST', '/groups', '{"name": "x",');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('malformed_json');
    await assertUnchanged();
  });

  it('answers 415 to a body that is not JSON', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const response = await request('POST', '/groups', 'name=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('unsupported_media_type');
    await assertUnchanged();
  });

  it('answers 413 to a body over 1 MB', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const huge = aGroupDraft({ id: 'huge', description: 'x'.repeat(1024 * 1024) });
    const response = await request('POST', '/groups', huge);
    expect(response.status).toBe(413);
    await assertUnchanged();
  });

  it('answers 400 to an empty body where one is required', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const response = await request('POST', '/groups', '');
    expect(response.status).toBe(400);
    expect(issuePaths(response.body)).toEqual(['(body)']);
    await assertUnchanged();
  });

  it('answers 400 to wrong types, naming each field', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const response = await request('POST', '/groups', aGroupDraft({ name: 42, enabled: 'yes', maxAttempts: 0 }));
    expect(response.status).toBe(400);
    expect(issuePaths(response.body).sort()).toEqual(['enabled', 'maxAttempts', 'name']);
    await assertUnchanged();
  });

  it('answers 400 to unknown fields, naming them', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const response = await request('POST', '/groups', aGroupDraft({ colour: 'red' }));
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues[0].message).toContain('colour');
    const patch = await request('PATCH', '/groups/bars', { version: 1, createdAt: 'x' });
    expect(patch.status).toBe(400);
    expect(patch.body.error.details.issues[0].message).toContain('createdAt');
    await assertUnchanged();
  });

  it('answers 400 to ids with slashes, unicode or upper case', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    for (const id of ['a/b', 'bärs', 'Bars', '-bars', 'x'.repeat(65)]) {
      const response = await request('POST', '/groups', aGroupDraft({ id }));
      expect(response.status, id).toBe(400);
      expect(issuePaths(response.body), id).toEqual(['id']);
    }
    expect((await request('GET', `/groups/${encodeURIComponent('bärs')}`)).status).toBe(400);
    expect((await request('GET', '/groups/a/b')).status).toBe(404);
    await assertUnchanged();
  });

  it('answers 400 to an invalid cron, naming the schedule', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const response = await request('POST', '/groups', aGroupDraft({ id: 'x', schedule: '61 * * * *' }));
    expect(response.status).toBe(400);
    expect(issuePaths(response.body)).toContain('schedule');
    await assertUnchanged();
  });

  it('answers 400 to a cron AWS cannot express, saying why and how to fix it', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const response = await request('POST', '/groups', aGroupDraft({ id: 'x', schedule: '0 9 1 * 1' }));
    expect(response.status).toBe(400);
    const issue = response.body.error.details.issues.find((entry: { path: string }) => entry.path === 'schedule');
    expect(issue.message).toMatch(/day-of-month.*day-of-week/);
    await assertUnchanged();
  });

  it('answers 400 to an unknown timezone', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const response = await request('POST', '/groups', aGroupDraft({ id: 'x', timezone: 'Mars/Olympus' }));
    expect(response.status).toBe(400);
    expect(issuePaths(response.body)).toContain('timezone');
    await assertUnchanged();
  });

  it('answers 400 to a template that does not expand, with the path of every bad field', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const broken = await request(
      'POST',
      '/groups',
      aGroupDraft({ id: 'x', parametersTemplate: { code: { $each: [] }, date: '{{tomorrow}}' } }),
    );
    expect(broken.status).toBe(400);
    expect(issuePaths(broken.body).sort()).toEqual(['parametersTemplate.code.$each', 'parametersTemplate.date']);
    const badParams = await request(
      'POST',
      '/groups',
      aGroupDraft({
        id: 'x',
        parametersTemplate: { code: { $each: ['72030', 7203] }, date: '{{businessDate}}', colour: 'red' },
      }),
    );
    expect(badParams.status).toBe(400);
    expect(issuePaths(badParams.body).sort()).toEqual([
      'parametersTemplate.code.$each[1]',
      'parametersTemplate.colour',
    ]);
    await assertUnchanged();
  });

  it('answers 400 to an unknown dataset or data source, or a dataset of another source', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const unknownDataset = await request('POST', '/groups', aGroupDraft({ id: 'x', dataset: 'jquants.nope' }));
    expect(issuePaths(unknownDataset.body)).toEqual(['dataset']);
    const unknownSource = await request('POST', '/groups', aGroupDraft({ id: 'x', dataSource: 'bloomberg' }));
    expect(issuePaths(unknownSource.body)).toEqual(['dataSource']);
    const mismatch = await request('POST', '/groups', aGroupDraft({ id: 'x', dataSource: 'yahoo' }));
    expect(issuePaths(mismatch.body)).toContain('dataset');
    await assertUnchanged();
  });

  it('answers 400 to dependencies on missing groups, on itself, or in a cycle', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const missing = await request('POST', '/groups', aGroupDraft({ id: 'x', dependsOn: ['nope'] }));
    expect(issuePaths(missing.body)).toEqual(['dependsOn[0]']);
    const self = await request('PATCH', '/groups/bars', { dependsOn: ['bars'], version: 1 });
    expect(issuePaths(self.body)).toEqual(['dependsOn[0]']);
    await assertUnchanged();
  });

  it('answers 404 to unknown routes and 405 to wrong methods', async () => {
    const { request } = await withOneGroup();
    expect((await request('GET', '/nope')).status).toBe(404);
    const wrongMethod = await request('PUT', '/groups/bars', {});
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error.code).toBe('method_not_allowed');
  });

  it('answers 400 to a body on a route that takes none', async () => {
    const { request } = await withOneGroup();
    const response = await request('GET', '/groups', { a: 1 });
    expect(response.status).toBe(400);
  });

  it('answers 400 to a malformed If-Match', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    const response = await request('PATCH', '/groups/bars', { description: 'x' }, { 'If-Match': 'banana' });
    expect(response.status).toBe(400);
    await assertUnchanged();
  });

  it('answers 404 to a patch, pause or resume of a missing group', async () => {
    const { request, assertUnchanged } = await withOneGroup();
    expect((await request('PATCH', '/groups/nope', { description: 'x', version: 1 })).status).toBe(404);
    expect((await request('POST', '/groups/nope/pause', { reason: 'x' })).status).toBe(404);
    expect((await request('POST', '/groups/nope/resume')).status).toBe(404);
    await assertUnchanged();
  });
});
