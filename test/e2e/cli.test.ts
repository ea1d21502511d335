import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '#infra/local/sandbox.ts';
import { type BinOutcome, moomooBin, stopMoomooBins } from '#test/fixtures/cli-harness.ts';
import { startDemoSandbox } from '#test/fixtures/sandbox-client.ts';

const directory = mkdtempSync(join(tmpdir(), 'moomoo-cli-'));
const file = (name: string, contents?: unknown): string => {
  const path = join(directory, name);
  if (contents !== undefined) writeFileSync(path, JSON.stringify(contents));
  return path;
};

afterAll(() => {
  stopMoomooBins();
  rmSync(directory, { recursive: true, force: true });
});

/** Runs the real `moomoo` bin as a user would, with `env` on top of this process's (undefined: unset). */
const moomoo = (args: readonly string[], env: Record<string, string | undefined>): Promise<BinOutcome> =>
  moomooBin(args, env, { timeoutMs: 240_000 });

describe('moomoo against the sandbox with its bearer token', () => {
  let sandbox: Sandbox;
  const lines: string[] = [];
  const run = (...args: string[]): Promise<BinOutcome> =>
    moomoo(args, { MOOMOO_URL: sandbox.adminUrl, MOOMOO_TOKEN: sandbox.adminToken });

  beforeAll(async () => {
    sandbox = await startDemoSandbox({}, lines);
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('creates a group from a file and edits it from a file', async () => {
    const codes = (sandbox.demoUpstream?.codes ?? []).slice(0, 3);
    const created = await run(
      'groups',
      'create',
      '-f',
      file('group.json', {
        name: 'CLI bars',
        dataSource: 'jquants',
        dataset: 'jquants.equities.bars.daily',
        schedule: '30 17 * * 1-5',
        parametersTemplate: { code: { $each: codes }, date: '{{businessDate}}' },
      }),
    );
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.stderr).toContain('created job group cli-bars (version 1)');
    expect(created.stdout).toMatch(/^id\tcli-bars$/m);

    const edited = await run(
      'groups',
      'edit',
      'cli-bars',
      '-f',
      file('edit.json', { schedule: '0 18 * * 1-5', runDeadline: 'PT2H' }),
    );
    expect(edited.exitCode, edited.stderr).toBe(0);
    expect(edited.stderr).toContain('updated job group cli-bars: schedule, runDeadline (version 1 → 2)');

    const read = await run('groups', 'get', 'cli-bars', '--json');
    expect(JSON.parse(read.stdout)).toMatchObject({
      id: 'cli-bars',
      schedule: '0 18 * * 1-5',
      runDeadline: 'PT2H',
      version: 2,
    });
  });

  it('runs the group and watches the run to success, exiting 0', async () => {
    const started = await run('groups', 'run', 'cli-bars', '--date', '2026-11-26', '--json');
    expect(started.exitCode, started.stderr).toBe(0);
    const { runId } = JSON.parse(started.stdout) as { runId: string };
    expect(started.stderr).toContain(`moomoo runs watch ${runId}`);

    const watched = await run('runs', 'watch', runId, '--interval', '1');
    expect(watched.exitCode, watched.stderr).toBe(0);
    expect(watched.stdout).toBe(`run ${runId} succeeded: 3/3 jobs, 1 requests\n`);
    expect(watched.stderr).toMatch(new RegExp(`run ${runId}: succeeded 3/3 jobs, 0 failed, 1 requests`));
    expect(watched.stdout + watched.stderr).not.toContain('\u001b');
  });

  it('prints JSON that parses with --json, exactly as the API answers', async () => {
    const listed = await run('--json', 'runs', 'list', 'cli-bars');
    expect(listed.exitCode, listed.stderr).toBe(0);
    const page = JSON.parse(listed.stdout) as { runs: { status: string; counters: { total: number } }[] };
    expect(page.runs[0]).toMatchObject({ status: 'succeeded', counters: { total: 3 } });

    const jobs = await run(
      'runs',
      'jobs',
      (page.runs[0] as unknown as { runId: string }).runId,
      '--status',
      'succeeded',
      '--json',
    );
    expect((JSON.parse(jobs.stdout) as { jobs: unknown[] }).jobs).toHaveLength(3);

    const table = await run('groups', 'list');
    expect(table.stdout).toMatch(
      /^cli-bars\tCLI bars\tjquants\.equities\.bars\.daily\t0 18 \* \* 1-5 Asia\/Tokyo\tenabled\t2$/m,
    );
  });

  it("prints the API's message and exits non-zero when a command fails", async () => {
    const missing = await run('groups', 'get', 'no-such-group');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("moomoo: job group 'no-such-group' does not exist (404 not_found)");
    expect(missing.stderr).toContain('next: `moomoo groups list` shows the groups that exist');

    const invalid = await run('groups', 'edit', 'cli-bars', '-f', file('bad.json', { maxAttempts: 0 }));
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toMatch(/\(400 validation_failed\)/);
    expect(invalid.stderr).toContain('maxAttempts');
    expect(invalid.stderr).toContain('next: fix what is named above');

    const badToken = await moomoo(['groups', 'list'], { MOOMOO_URL: sandbox.adminUrl, MOOMOO_TOKEN: 'wrong' });
    expect(badToken.exitCode).toBe(1);
    expect(badToken.stderr).toContain('(401 unauthorized)');
  });

  it('exports and imports 1,000 groups in requests under the body limit, and imports its own export unchanged', async () => {
    const groups = Array.from({ length: 1000 }, (_, index) => ({
      id: `bulk-${String(index).padStart(4, '0')}`,
      name: `Bulk ${index}`,
      description: `One of a thousand calendar groups, disabled so that nothing fires (${'x'.repeat(200)})`,
      dataSource: 'jquants',
      dataset: 'jquants.markets.calendar',
      schedule: '0 18 * * *',
      enabled: false,
    }));
    const imported = await run(
      'import',
      file('bulk.json', { format: 'moomoo-markets.backup', version: 1, groups, dataSources: [] }),
    );
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('1000 groups created, 0 updated, 0 unchanged');
    expect(imported.stderr).toMatch(/^request 10 of 10 \(100 groups\): 100 groups created/m);

    const exportPath = file('export.json');
    const exported = await run('export', '-o', exportPath);
    expect(exported.exitCode, exported.stderr).toBe(0);
    const backup = JSON.parse(readFileSync(exportPath, 'utf8')) as { groups: { id: string; enabled: boolean }[] };
    expect(backup.groups.filter((group) => group.id.startsWith('bulk-'))).toHaveLength(1000);
    expect(exported.stderr).toContain(`exported ${backup.groups.length} job groups`);

    const again = await run('import', exportPath);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain(`0 groups created, 0 updated, ${backup.groups.length} unchanged`);
  }, 240_000);
});

describe('moomoo signing with SigV4 against a sandbox with ADMIN_AUTH=iam', () => {
  let sandbox: Sandbox;
  const signed = {
    MOOMOO_TOKEN: undefined,
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };

  beforeAll(async () => {
    sandbox = await startDemoSandbox({ adminAuth: 'iam' });
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('takes a request signed with the sandbox credentials', async () => {
    const created = await moomoo(
      [
        'groups',
        'create',
        '-f',
        file('signed.json', {
          name: 'Signed calendar',
          dataSource: 'jquants',
          dataset: 'jquants.markets.calendar',
          schedule: '0 18 * * *',
          enabled: false,
        }),
      ],
      {
        ...signed,
        MOOMOO_URL: sandbox.adminUrl,
      },
    );
    expect(created.exitCode, created.stderr).toBe(0);
    const listed = await moomoo(['groups', 'get', 'signed-calendar', '--json'], {
      ...signed,
      MOOMOO_URL: sandbox.adminUrl,
    });
    expect(JSON.parse(listed.stdout)).toMatchObject({ id: 'signed-calendar', version: 1 });
  });

  it('answers 401 to an unsigned request and to the bearer token', async () => {
    expect((await fetch(`${sandbox.adminUrl}/groups`)).status).toBe(401);
    const token = await moomoo(['groups', 'list'], {
      ...signed,
      MOOMOO_TOKEN: sandbox.adminToken,
      MOOMOO_URL: sandbox.adminUrl,
    });
    expect(token.exitCode).toBe(1);
    expect(token.stderr).toContain('(401 unauthorized)');
    expect(token.stderr).toContain('wants SigV4');
  });

  it('answers 403 to a request signed with the wrong secret or for another region', async () => {
    const wrongSecret = await moomoo(['groups', 'list'], {
      ...signed,
      AWS_SECRET_ACCESS_KEY: 'wrong',
      MOOMOO_URL: sandbox.adminUrl,
    });
    expect(wrongSecret.exitCode).toBe(1);
    expect(wrongSecret.stderr).toContain('the request signature we calculated does not match');
    expect(wrongSecret.stderr).toContain('(403 forbidden)');
    const otherRegion = await moomoo(['groups', 'list'], {
      ...signed,
      AWS_REGION: 'us-east-1',
      MOOMOO_URL: sandbox.adminUrl,
    });
    expect(otherRegion.exitCode).toBe(1);
    expect(otherRegion.stderr).toContain('(403 forbidden)');
  });
});
