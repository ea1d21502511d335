import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startFakeAdminApi } from '#test/fixtures/cli-harness.ts';

let api: Awaited<ReturnType<typeof startFakeAdminApi>> | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

const jquants = {
  id: 'jquants',
  plan: 'free',
  rateLimit: { limit: 5, per: 'minute' },
  updatedAt: '2026-11-26T00:00:00Z',
  version: 2,
};

describe('moomoo data-sources', () => {
  it('sets a rate limit with the version it read', async () => {
    api = await startFakeAdminApi((request) => {
      if (request.method === 'GET' && request.path === '/data-sources')
        return { status: 200, body: { dataSources: [jquants] } };
      if (request.method === 'PATCH') {
        return {
          status: 200,
          body: {
            ...jquants,
            rateLimitSetting: { limit: 120, per: 'minute' },
            rateLimit: { limit: 120, per: 'minute' },
            version: 3,
          },
        };
      }
      return undefined;
    });
    const outcome = await runCli(['data-sources', 'set', 'jquants', '--limit', '120', '--per', 'minute'], {
      url: api.url,
    });
    expect(outcome.exitCode).toBe(0);
    expect(api.requests[1]).toMatchObject({
      method: 'PATCH',
      path: '/data-sources/jquants',
      body: { rateLimit: { limit: 120, per: 'minute' }, version: 2 },
    });
    expect(outcome.stderr).toContain('updated jquants: now 120/minute (set) (version 2 → 3)');
  });

  it('refuses --limit without --per, and --per outside its choices, before calling the API', async () => {
    api = await startFakeAdminApi(() => undefined);
    const alone = await runCli(['data-sources', 'set', 'jquants', '--limit', '120'], { url: api.url });
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toContain('--limit and --per go together');
    const wrong = await runCli(['data-sources', 'set', 'jquants', '--limit', '120', '--per', 'day'], { url: api.url });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain("argument 'day' is invalid. Allowed choices are second, minute, hour.");
    expect(api.requests).toHaveLength(0);
  });

  it('exits 1 when a credentials check finds them failing, saying where the key goes', async () => {
    api = await startFakeAdminApi(() => ({
      status: 200,
      body: { id: 'jquants', status: 'failing', reason: 'HTTP 403: invalid key', checkedAt: '2026-11-27T00:00:00Z' },
    }));
    const outcome = await runCli(['data-sources', 'check', 'jquants'], { url: api.url });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toContain('moomoo: jquants credentials do not work: HTTP 403: invalid key');
    expect(outcome.stderr).toContain('JQUANTS_API_KEY');
  });
});

describe('moomoo rows', () => {
  it('follows the cursor with --all and prints one JSON document of every row', async () => {
    api = await startFakeAdminApi((request) =>
      request.query.cursor === undefined
        ? { status: 200, body: { rows: [{ code: '72030', date: '2026-11-26', close: 1 }], cursor: 'page-2' } }
        : { status: 200, body: { rows: [{ code: '72030', date: '2026-11-27', close: 2 }] } },
    );
    const outcome = await runCli(
      [
        'rows',
        'jquants.equities.bars.daily',
        '--code',
        '72030',
        '--from',
        '2026-11-01',
        '--to',
        '2026-11-30',
        '--all',
        '--json',
      ],
      { url: api.url },
    );
    expect(outcome.exitCode).toBe(0);
    expect(api.requests.map((request) => request.query)).toEqual([
      { code: '72030', from: '2026-11-01', to: '2026-11-30' },
      { code: '72030', from: '2026-11-01', to: '2026-11-30', cursor: 'page-2' },
    ]);
    expect(JSON.parse(outcome.stdout).rows).toHaveLength(2);
  });

  it('refuses a date with a range, and a range without a code', async () => {
    api = await startFakeAdminApi(() => undefined);
    const both = await runCli(['rows', 'x', '--code', '1', '--date', '2026-11-01', '--from', '2026-11-01'], {
      url: api.url,
    });
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('--date and --from/--to exclude each other');
    const noCode = await runCli(['rows', 'x', '--from', '2026-11-01', '--to', '2026-11-02'], { url: api.url });
    expect(noCode.stderr).toContain('give --code or --date');
    const badDate = await runCli(['rows', 'x', '--date', '2026-02-30'], { url: api.url });
    expect(badDate.stderr).toContain("argument '2026-02-30' is invalid. give a date as YYYY-MM-DD");
    expect(api.requests).toHaveLength(0);
  });
});

describe('moomoo dead-letters', () => {
  it('passes the filters as the API names them', async () => {
    api = await startFakeAdminApi(() => ({ status: 200, body: { deadLetters: [] } }));
    const outcome = await runCli(
      ['dead-letters', 'list', '--group', 'daily-bars', '--run', 'r1', '--data-source', 'jquants'],
      {
        url: api.url,
      },
    );
    expect(outcome.exitCode).toBe(0);
    expect(api.requests[0]?.query).toEqual({ groupId: 'daily-bars', runId: 'r1', dataSource: 'jquants' });
    expect(outcome.stderr).toContain('no dead letters');
  });
});

/** A backup of `count` groups, each about 1 KB of JSON. */
function aBackup(count: number): Record<string, unknown> {
  return {
    format: 'moomoo-markets.backup',
    version: 1,
    groups: Array.from({ length: count }, (_, index) => ({
      id: `group-${index}`,
      name: `Group ${index}`,
      description: 'x'.repeat(900),
      dataSource: 'jquants',
      dataset: 'jquants.markets.calendar',
      schedule: '0 18 * * *',
      enabled: false,
    })),
    dataSources: [{ id: 'jquants', plan: 'standard' }],
  };
}

describe('moomoo import and export', () => {
  it('sends a large backup in requests under 1 MB and 100 groups, each reported', async () => {
    api = await startFakeAdminApi((request) => {
      const body = request.body as { groups: { id: string }[]; dataSources: { id: string }[] };
      return {
        status: 200,
        body: {
          created: body.groups.map((group) => group.id),
          updated: [],
          unchanged: [],
          conflicts: [],
          dataSources: body.dataSources.map((source) => source.id),
        },
      };
    });
    const outcome = await runCli(['import', 'backup.json'], {
      url: api.url,
      files: { 'backup.json': JSON.stringify(aBackup(250)) },
    });
    expect(outcome.exitCode).toBe(0);
    expect(api.requests.length).toBeGreaterThanOrEqual(3);
    for (const request of api.requests) {
      expect(Buffer.byteLength(JSON.stringify(request.body))).toBeLessThanOrEqual(1024 * 1024);
      expect((request.body as { groups: unknown[] }).groups.length).toBeLessThanOrEqual(100);
    }
    expect(outcome.stderr).toContain(`request 1 of ${api.requests.length}`);
    expect(outcome.stdout).toBe(
      'imported backup.json: 250 groups created, 0 updated, 0 unchanged, 1 data-source settings written\n',
    );
  });

  it('says exactly what was applied when a request fails midway, and that running it again completes it', async () => {
    let calls = 0;
    api = await startFakeAdminApi((request) => {
      calls += 1;
      const body = request.body as { groups: { id: string }[] };
      if (calls === 2) {
        const written = body.groups.slice(0, 10).map((group) => group.id);
        return {
          status: 500,
          body: {
            error: {
              code: 'import_interrupted',
              message: `the import stopped at job group '${body.groups[10]?.id}' after 10 writes`,
              details: { created: written, updated: [], unchanged: [], conflicts: [], dataSources: [] },
            },
          },
        };
      }
      return {
        status: 200,
        body: {
          created: body.groups.map((group) => group.id),
          updated: [],
          unchanged: [],
          conflicts: [],
          dataSources: ['jquants'],
        },
      };
    });
    const outcome = await runCli(['import', 'backup.json'], {
      url: api.url,
      files: { 'backup.json': JSON.stringify(aBackup(250)) },
    });
    expect(outcome.exitCode).toBe(1);
    expect(api.requests).toHaveLength(2);
    const first = (api.requests[0]?.body as { groups: unknown[] } | undefined)?.groups.length ?? 0;
    expect(outcome.stderr).toContain(`moomoo: the import stopped at request 2 of 3`);
    expect(outcome.stderr).toContain(
      `applied before it stopped: ${first + 10} groups created, 0 updated, 0 unchanged, 1 data-source settings written`,
    );
    expect(outcome.stderr).toMatch(/not sent: the \d+ groups of the requests after it/);
    expect(outcome.stderr).toContain('run `moomoo import backup.json` again: what is already applied is skipped');
  });

  it('refuses a file that is not a backup without sending anything', async () => {
    api = await startFakeAdminApi(() => undefined);
    const outcome = await runCli(['import', 'backup.json'], {
      url: api.url,
      files: { 'backup.json': '{"groups": 3}' },
    });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toContain('is not a moomoo-markets backup');
    expect(api.requests).toHaveLength(0);
  });

  it('exports to a file, indented, and says how much', async () => {
    const backup = aBackup(2);
    api = await startFakeAdminApi(() => ({ status: 200, body: backup }));
    const written: Record<string, string> = {};
    const outcome = await runCli(['export', '-o', 'out.json'], { url: api.url, written });
    expect(outcome.exitCode).toBe(0);
    expect(JSON.parse(written['out.json'] ?? '')).toEqual(backup);
    expect(written['out.json']).toContain('\n  "groups"');
    expect(outcome.stderr).toBe('exported 2 job groups and 1 data-source settings to out.json\n');
  });
});
