import { describe, expect, it } from 'vitest';
import { maxRestoreWrites } from '#shared/ports/backup-restorer.ts';
import { aGroupDraft, anAdminApi } from '#test/fixtures/admin-api-harness.ts';

type Harness = ReturnType<typeof anAdminApi>;

const issuePaths = (body: { error: { details?: { issues?: { path: string }[] } } }): string[] =>
  (body.error.details?.issues ?? []).map((issue) => issue.path);

/** A backup document of nothing; overrides replace its fields. */
function aBackup(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { format: 'moomoo-markets.backup', version: 1, groups: [], dataSources: [], ...overrides };
}

/** A valid backup group: a draft with its id. */
function aBackupGroup(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return aGroupDraft({ id, name: `Group ${id}`, ...overrides });
}

/** Everything an import may change, as stored. */
async function snapshotOf(harness: Harness) {
  return {
    groups: await harness.groupStore.list(),
    jquants: await harness.settingsStore.get('jquants'),
    yahoo: await harness.settingsStore.get('yahoo'),
  };
}

/** An API holding two groups (one paused) and configured data sources. */
async function aConfiguredApi(): Promise<Harness> {
  const harness = anAdminApi();
  const { request } = harness;
  await request(
    'POST',
    '/groups',
    aGroupDraft({ id: 'master', dataset: 'jquants.equities.master', schedule: '0 7 * * *', parametersTemplate: {} }),
  );
  await request(
    'POST',
    '/groups',
    aGroupDraft({ id: 'bars', description: 'prime bars', dependsOn: ['master'], catchUp: 'latest', maxAttempts: 3 }),
  );
  await request('POST', '/groups/bars/pause', { reason: 'upstream maintenance', until: '2026-12-01T00:00:00Z' });
  await request('PATCH', '/data-sources/jquants', { plan: 'standard' });
  await request('PATCH', '/data-sources/yahoo', { rateLimit: { limit: 30, per: 'minute' } });
  return harness;
}

const withoutBookkeeping = ({ createdAt: _c, updatedAt: _u, version: _v, ...rest }: Record<string, unknown>) => rest;

describe('admin API: export and import', () => {
  it('restores identical groups and data-source settings into a fresh API', async () => {
    const source = await aConfiguredApi();
    const exported = await source.request('GET', '/export');
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({ format: 'moomoo-markets.backup', version: 1 });

    const target = anAdminApi();
    const imported = await target.request('POST', '/import', exported.body);
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({
      created: ['bars', 'master'],
      updated: [],
      unchanged: [],
      conflicts: [],
      dataSources: ['jquants', 'yahoo'],
    });

    const sourceGroups = (await source.request('GET', '/groups')).body.groups.map(withoutBookkeeping);
    const targetGroups = (await target.request('GET', '/groups')).body.groups.map(withoutBookkeeping);
    expect(targetGroups).toEqual(sourceGroups);
    expect(targetGroups.find((group: { id: string }) => group.id === 'bars')?.pause).toMatchObject({
      reason: 'upstream maintenance',
      until: '2026-12-01T00:00:00Z',
    });
    const settingsOf = async (harness: Harness) =>
      (await harness.request('GET', '/data-sources')).body.dataSources.map(withoutBookkeeping);
    expect(await settingsOf(target)).toEqual(await settingsOf(source));
  });

  it('exports a document the import accepts unchanged, even after JSON serialisation', async () => {
    const source = await aConfiguredApi();
    const text = JSON.stringify((await source.request('GET', '/export')).body);
    const target = anAdminApi();
    expect((await target.request('POST', '/import', text)).status).toBe(200);
  });

  it('answers 400 with the path of every bad field of a half-valid document and stores nothing', async () => {
    const harness = await aConfiguredApi();
    const before = await snapshotOf(harness);
    const response = await harness.request(
      'POST',
      '/import',
      aBackup({
        groups: [
          aBackupGroup('good'),
          aBackupGroup('bad-cron', { schedule: '61 * * * *' }),
          aBackupGroup('bad-dataset', { dataset: 'jquants.nope' }),
        ],
        dataSources: [{ id: 'jquants', plan: 'premium' }],
      }),
    );
    expect(response.status).toBe(400);
    expect(issuePaths(response.body)).toEqual(['groups[1].schedule', 'groups[2].dataset']);
    expect(await snapshotOf(harness)).toEqual(before);
  });

  it('answers 400 to the same id twice in one document and stores nothing', async () => {
    const harness = await aConfiguredApi();
    const before = await snapshotOf(harness);
    const response = await harness.request(
      'POST',
      '/import',
      aBackup({ groups: [aBackupGroup('twin'), aBackupGroup('other'), aBackupGroup('twin')] }),
    );
    expect(response.status).toBe(400);
    expect(issuePaths(response.body)).toEqual(['groups[2].id']);
    expect(response.body.error.details.issues[0].message).toContain('groups[0]');
    expect(await snapshotOf(harness)).toEqual(before);
  });

  it('answers 400 to the same data source twice in one document and stores nothing', async () => {
    const harness = await aConfiguredApi();
    const before = await snapshotOf(harness);
    const response = await harness.request(
      'POST',
      '/import',
      aBackup({
        dataSources: [
          { id: 'jquants', plan: 'light' },
          { id: 'jquants', plan: 'premium' },
        ],
      }),
    );
    expect(response.status).toBe(400);
    expect(issuePaths(response.body)).toEqual(['dataSources[1].id']);
    expect(await snapshotOf(harness)).toEqual(before);
  });

  it('answers 400 naming the field to a plan for yahoo and stores nothing', async () => {
    const harness = await aConfiguredApi();
    const before = await snapshotOf(harness);
    const response = await harness.request(
      'POST',
      '/import',
      aBackup({ groups: [aBackupGroup('good')], dataSources: [{ id: 'jquants' }, { id: 'yahoo', plan: 'free' }] }),
    );
    expect(response.status).toBe(400);
    expect(issuePaths(response.body)).toEqual(['dataSources[1].plan']);
    expect(await snapshotOf(harness)).toEqual(before);
  });

  it('accepts dependencies on groups inside the same document, in any order', async () => {
    const { request } = anAdminApi();
    const response = await request(
      'POST',
      '/import',
      aBackup({
        groups: [
          aBackupGroup('bars', { dependsOn: ['master'] }),
          aBackupGroup('master', { dataset: 'jquants.equities.master', parametersTemplate: {} }),
        ],
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body.created).toEqual(['bars', 'master']);
    expect((await request('GET', '/groups/bars')).body.dependsOn).toEqual(['master']);
  });

  it('answers 400 to a dependency cycle inside the document and to a dependency on a missing group', async () => {
    const harness = anAdminApi();
    const cycle = await harness.request(
      'POST',
      '/import',
      aBackup({ groups: [aBackupGroup('a', { dependsOn: ['b'] }), aBackupGroup('b', { dependsOn: ['a'] })] }),
    );
    expect(cycle.status).toBe(400);
    expect(issuePaths(cycle.body)).toEqual(['groups[0].dependsOn[0]', 'groups[1].dependsOn[0]']);
    const missing = await harness.request(
      'POST',
      '/import',
      aBackup({ groups: [aBackupGroup('a', { dependsOn: ['nowhere'] })] }),
    );
    expect(issuePaths(missing.body)).toEqual(['groups[0].dependsOn[0]']);
    expect((await harness.groupStore.list()).groups).toEqual([]);
  });

  it('replaces existing groups, bumping their version and keeping createdAt', async () => {
    const harness = await aConfiguredApi();
    const { request, clock } = harness;
    const before = await harness.groupStore.get('master');
    clock.advance(3_600_000);
    const response = await request(
      'POST',
      '/import',
      aBackup({
        groups: [
          aBackupGroup('master', { dataset: 'jquants.equities.master', parametersTemplate: {}, description: 'new' }),
          aBackupGroup('fresh'),
        ],
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      created: ['fresh'],
      updated: ['master'],
      unchanged: [],
      conflicts: [],
      dataSources: [],
    });
    const master = (await request('GET', '/groups/master')).body;
    expect(master).toMatchObject({
      description: 'new',
      createdAt: before?.createdAt,
      updatedAt: '2026-11-27T01:00:00.000Z',
      version: (before?.version ?? 0) + 1,
    });
    expect((await request('GET', '/groups/bars')).body.pause).not.toBeNull();
  });

  it('answers 400 naming format or version to a document of another format or version', async () => {
    const harness = await aConfiguredApi();
    const before = await snapshotOf(harness);
    const wrongFormat = await harness.request('POST', '/import', aBackup({ format: 'someone-else.backup' }));
    expect(wrongFormat.status).toBe(400);
    expect(issuePaths(wrongFormat.body)).toEqual(['format']);
    const wrongVersion = await harness.request('POST', '/import', aBackup({ version: 2 }));
    expect(wrongVersion.status).toBe(400);
    expect(issuePaths(wrongVersion.body)).toEqual(['version']);
    const noGroups = await harness.request('POST', '/import', { format: 'moomoo-markets.backup', version: 1 });
    expect(issuePaths(noGroups.body)).toEqual(['groups']);
    expect(await snapshotOf(harness)).toEqual(before);
  });

  it(`answers 400 to a document of more than ${maxRestoreWrites} writes, saying so, and stores nothing`, async () => {
    const harness = await aConfiguredApi();
    const before = await snapshotOf(harness);
    const groups = Array.from({ length: maxRestoreWrites }, (_, index) => aBackupGroup(`group-${index}`));
    const response = await harness.request('POST', '/import', aBackup({ groups, dataSources: [{ id: 'yahoo' }] }));
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(`at most ${maxRestoreWrites}`);
    expect(response.body.error.message).toContain(String(maxRestoreWrites + 1));
    expect(await snapshotOf(harness)).toEqual(before);
  });

  it(`accepts a document of exactly ${maxRestoreWrites} writes`, async () => {
    const harness = anAdminApi();
    const groups = Array.from({ length: maxRestoreWrites - 1 }, (_, index) => aBackupGroup(`group-${index}`));
    const response = await harness.request('POST', '/import', aBackup({ groups, dataSources: [{ id: 'yahoo' }] }));
    expect(response.status).toBe(200);
    expect((await harness.groupStore.list()).groups).toHaveLength(maxRestoreWrites - 1);
  });
});
