import { describe, expect, it } from 'vitest';
import { maxBodyBytes } from '#shared/admin-api/handle-request.ts';
import { chunkBackup } from '#shared/domain/backup-chunks.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { maxRestoreWrites } from '#shared/ports/backup-restorer.ts';
import { type Backup, BackupSchema } from '#shared/use-cases/backup.ts';
import type { InMemoryJobGroupStore } from '#test/fakes/in-memory-job-group-store.ts';
import { aGroupDraft, anAdminApi } from '#test/fixtures/admin-api-harness.ts';

type Harness = ReturnType<typeof anAdminApi>;

const idOf = (index: number): string => `group-${String(index).padStart(3, '0')}`;
const groupCount = 150;

/**
 * An API holding 150 groups and both data sources' settings. Every tenth group depends on one whose id sorts after
 * it, so an export lists those dependents before their dependencies; every seventh is paused.
 */
async function anApiWith150Groups(): Promise<Harness> {
  const harness = anAdminApi();
  const { request } = harness;
  for (let index = groupCount - 1; index >= 0; index -= 1) {
    const dependsOn = index % 10 === 0 && index + 105 < groupCount ? [idOf(index + 105)] : [];
    const codes = Array.from({ length: 1 + (index % 5) }, (_, offset) => String(10_000 + index * 5 + offset));
    const created = await request(
      'POST',
      '/groups',
      aGroupDraft({
        id: idOf(index),
        name: `Group ${index}`,
        dependsOn,
        parametersTemplate: { code: { $each: codes }, date: '{{businessDate}}' },
      }),
    );
    expect(created.status).toBe(201);
    if (index % 7 === 0) await request('POST', `/groups/${idOf(index)}/pause`, { reason: 'vendor maintenance' });
  }
  await request('PATCH', '/data-sources/jquants', { plan: 'standard' });
  await request('PATCH', '/data-sources/yahoo', { rateLimit: { limit: 30, per: 'minute' } });
  return harness;
}

/** The source's export, as the CLI reads it. */
async function exportOf(harness: Harness): Promise<Backup> {
  const response = await harness.request('GET', '/export');
  expect(response.status).toBe(200);
  return BackupSchema.parse(response.body);
}

/** Imports each part in turn; every answer must be 200. */
async function importParts(harness: Harness, parts: readonly Backup[]): Promise<Record<string, unknown>[]> {
  const answers: Record<string, unknown>[] = [];
  for (const part of parts) {
    const response = await harness.request('POST', '/import', JSON.stringify(part));
    expect(response.status).toBe(200);
    answers.push(response.body);
  }
  return answers;
}

/** Everything an import may change, as stored. */
async function snapshotOf(harness: Harness) {
  return {
    groups: await harness.groupStore.list(),
    jquants: await harness.settingsStore.get('jquants'),
    yahoo: await harness.settingsStore.get('yahoo'),
  };
}

const listed = (answers: readonly Record<string, unknown>[], field: string): string[] =>
  answers.flatMap((answer) => answer[field] as string[]).sort();

/** Makes every group write after the first `writes` fail as a throttled DynamoDB put would, until healed. */
function anOutageAfter(store: InMemoryJobGroupStore, writes: number): { heal(): void } {
  const create = store.create.bind(store);
  const update = store.update.bind(store);
  let remaining = writes;
  const spend = (): void => {
    remaining -= 1;
    if (remaining < 0) throw new Error('Rate of requests exceeds the allowed throughput');
  };
  store.create = async (group: JobGroup) => {
    spend();
    await create(group);
  };
  store.update = async (group: JobGroup, expectedVersion: number) => {
    spend();
    await update(group, expectedVersion);
  };
  return { heal: () => (remaining = Number.POSITIVE_INFINITY) };
}

describe('admin API: importing a backup in parts', () => {
  it('round-trips a 150-group export through bodies under the size cap into a fresh API', async () => {
    const source = await anApiWith150Groups();
    const exported = await exportOf(source);
    const parts = chunkBackup(exported, maxBodyBytes);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThanOrEqual(maxBodyBytes);
      expect(part.groups.length + part.dataSources.length).toBeLessThanOrEqual(maxRestoreWrites);
    }

    const target = anAdminApi();
    const answers = await importParts(target, parts);
    expect(listed(answers, 'created')).toEqual(exported.groups.map((group) => group.id).sort());
    expect(listed(answers, 'updated')).toEqual([]);
    expect(listed(answers, 'dataSources')).toEqual(['jquants', 'yahoo']);
    expect(await exportOf(target)).toEqual(exported);
  });

  it('changes nothing and bumps no version when the same document is imported again', async () => {
    const source = await anApiWith150Groups();
    const parts = chunkBackup(await exportOf(source), maxBodyBytes);
    const target = anAdminApi();
    await importParts(target, parts);
    const before = await snapshotOf(target);
    target.clock.advance(60_000);

    const again = await importParts(target, parts);
    expect(again.map(({ unchanged: _u, ...rest }) => rest)).toEqual(
      parts.map(() => ({ created: [], updated: [], conflicts: [], dataSources: [] })),
    );
    expect(listed(again, 'unchanged')).toHaveLength(groupCount);
    expect(await snapshotOf(target)).toEqual(before);
  });

  it('reports a group changed since the document read it as a conflict and applies the rest', async () => {
    const harness = anAdminApi();
    const { request } = harness;
    await request('POST', '/groups', aGroupDraft({ id: 'edited', name: 'Edited' }));
    await request('PATCH', '/groups/edited', { description: 'edited meanwhile' }, { 'If-Match': '1' });
    const before = await harness.groupStore.get('edited');

    const response = await request('POST', '/import', {
      format: 'moomoo-markets.backup',
      version: 1,
      groups: [
        aGroupDraft({ id: 'edited', name: 'Edited', description: 'from the backup', version: 1 }),
        aGroupDraft({ id: 'fresh', name: 'Fresh' }),
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      created: ['fresh'],
      updated: [],
      unchanged: [],
      conflicts: [{ id: 'edited', kind: 'job group', message: expect.stringContaining('is at version 2, not') }],
      dataSources: [],
    });
    expect(await harness.groupStore.get('edited')).toEqual(before);
  });

  it('reports a group written by someone else during the import as a conflict and keeps their write', async () => {
    const harness = anAdminApi();
    const { request, groupStore } = harness;
    await request('POST', '/groups', aGroupDraft({ id: 'contested', name: 'Contested' }));
    const list = groupStore.list.bind(groupStore);
    let theirs: JobGroup | undefined;
    groupStore.list = async () => {
      const listing = await list();
      const current = await groupStore.get('contested');
      if (current !== undefined && theirs === undefined) {
        theirs = { ...current, description: 'their write', version: current.version + 1 };
        await groupStore.update(theirs, current.version);
      }
      return listing;
    };

    const response = await request('POST', '/import', {
      format: 'moomoo-markets.backup',
      version: 1,
      groups: [
        aGroupDraft({ id: 'contested', name: 'Contested', description: 'ours' }),
        aGroupDraft({ id: 'fresh', name: 'Fresh' }),
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body.created).toEqual(['fresh']);
    expect(response.body.conflicts).toEqual([
      { id: 'contested', kind: 'job group', message: expect.stringContaining('changed during the import') },
    ]);
    expect(await groupStore.get('contested')).toEqual(theirs);
  });

  it('answers a failure midway with the groups written before it, and completes when run again', async () => {
    const source = await anApiWith150Groups();
    const exported = await exportOf(source);
    const [first, ...rest] = chunkBackup(exported, maxBodyBytes);
    if (first === undefined) throw new Error('chunkBackup returned no part');
    const target = anAdminApi();
    const outage = anOutageAfter(target.groupStore, 40);

    const failed = await target.request('POST', '/import', first);
    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe('import_interrupted');
    expect(failed.body.error.message).toContain(`job group '${first.groups[40]?.id}' after 40 writes`);
    const writtenFirst = first.groups.slice(0, 40).map((group) => group.id);
    expect(failed.body.error.details).toEqual({
      created: writtenFirst,
      updated: [],
      unchanged: [],
      conflicts: [],
      dataSources: [],
    });
    expect((await target.groupStore.list()).groups.map((group) => group.id)).toEqual([...writtenFirst].sort());
    expect(target.errors).toHaveLength(1);

    outage.heal();
    const [again] = await importParts(target, [first]);
    expect(again).toEqual({
      created: first.groups.slice(40).map((group) => group.id),
      updated: [],
      unchanged: writtenFirst,
      conflicts: [],
      dataSources: ['jquants', 'yahoo'],
    });
    await importParts(target, rest);
    expect(await exportOf(target)).toEqual(exported);
  });
});
