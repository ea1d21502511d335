import { afterEach, describe, expect, it } from 'vitest';
import { aRun, runCli, startFakeAdminApi } from '#test/fixtures/cli-harness.ts';

let api: Awaited<ReturnType<typeof startFakeAdminApi>> | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

const storedGroup = {
  id: 'daily-bars',
  name: 'Daily bars',
  description: '',
  dataSource: 'jquants',
  dataset: 'jquants.equities.bars.daily',
  schedule: '30 17 * * 1-5',
  timezone: 'Asia/Tokyo',
  parametersTemplate: { code: { $each: ['72030'] }, date: '{{businessDate}}' },
  enabled: true,
  dependsOn: [],
  catchUp: 'none',
  overlap: 'skip',
  maxAttempts: 5,
  pause: null,
  createdAt: '2026-11-26T00:00:00.000Z',
  updatedAt: '2026-11-26T00:00:00.000Z',
  version: 3,
};

async function groupApi(runs: Record<string, unknown>[] = [aRun()]) {
  let polls = 0;
  api = await startFakeAdminApi((request) => {
    const { method, path } = request;
    if (method === 'GET' && path === '/groups') return { status: 200, body: { groups: [storedGroup], unreadable: [] } };
    if (method === 'GET' && path === '/groups/daily-bars') return { status: 200, body: storedGroup };
    if (method === 'PATCH' && path === '/groups/daily-bars') {
      return { status: 200, body: { ...storedGroup, ...(request.body as object), version: 4 } };
    }
    if (method === 'DELETE' && path === '/groups/daily-bars') return { status: 204 };
    if (method === 'POST' && path === '/groups') {
      return {
        status: 400,
        body: {
          error: {
            code: 'validation_failed',
            message: '2 fields are invalid',
            details: {
              issues: [
                { path: 'schedule', message: 'minute 61 is out of range 0-59' },
                { path: 'parametersTemplate.code', message: 'is required' },
              ],
            },
          },
        },
      };
    }
    if (method === 'POST' && path === '/groups/daily-bars/runs') return { status: 202, body: runs[0] };
    if (method === 'GET' && path.startsWith('/runs/')) {
      const run = runs[Math.min(polls, runs.length - 1)];
      polls += 1;
      return { status: 200, body: run };
    }
    return undefined;
  });
  return api;
}

describe('moomoo groups', () => {
  it('lists groups as an aligned table on a TTY and as tab-separated lines in a pipe', async () => {
    const fake = await groupApi();
    const person = await runCli(['groups', 'list'], { url: fake.url, tty: true });
    expect(person.stdout.split('\n')[0]).toMatch(/^ID {2,}NAME {2,}DATASET {2,}SCHEDULE {2,}STATE {2,}VERSION$/);
    expect(person.stdout).toMatch(
      /daily-bars {2,}Daily bars {2,}jquants\.equities\.bars\.daily {2,}30 17 \* \* 1-5 Asia\/Tokyo {2,}enabled {2,}3/,
    );
    const pipe = await runCli(['groups', 'list'], { url: fake.url });
    expect(pipe.stdout).toBe(
      'daily-bars\tDaily bars\tjquants.equities.bars.daily\t30 17 * * 1-5 Asia/Tokyo\tenabled\t3\n',
    );
  });

  it('prints the API JSON exactly with --json, before or after the command', async () => {
    const fake = await groupApi();
    const before = await runCli(['--json', 'groups', 'get', 'daily-bars'], { url: fake.url });
    const after = await runCli(['groups', 'get', 'daily-bars', '--json'], { url: fake.url });
    expect(before.stdout).toBe(`${JSON.stringify(storedGroup)}\n`);
    expect(after.stdout).toBe(before.stdout);
  });

  it('edits with a PATCH of the changed fields and If-Match of the version it read', async () => {
    const fake = await groupApi();
    const outcome = await runCli(['groups', 'edit', 'daily-bars', '-f', 'patch.json'], {
      url: fake.url,
      files: { 'patch.json': JSON.stringify({ schedule: '0 18 * * 1-5', runDeadline: 'PT2H' }) },
    });
    expect(outcome.exitCode).toBe(0);
    expect(fake.requests.map((request) => request.method)).toEqual(['GET', 'PATCH']);
    expect(fake.requests[1]?.headers['if-match']).toBe('3');
    expect(fake.requests[1]?.body).toEqual({ schedule: '0 18 * * 1-5', runDeadline: 'PT2H' });
    expect(outcome.stderr).toContain('updated job group daily-bars: schedule, runDeadline (version 3 → 4)');
  });

  it('edits from a whole group read with --json, sending only what changed', async () => {
    const fake = await groupApi();
    const edited = { ...storedGroup, timezone: 'UTC' };
    const outcome = await runCli(['groups', 'edit', 'daily-bars', '-f', 'group.json'], {
      url: fake.url,
      files: { 'group.json': JSON.stringify(edited) },
    });
    expect(outcome.exitCode).toBe(0);
    expect(fake.requests[1]?.body).toEqual({ timezone: 'UTC' });
  });

  it('refuses an edit based on an older version than the stored one', async () => {
    const fake = await groupApi();
    const outcome = await runCli(['groups', 'edit', 'daily-bars', '-f', 'group.json'], {
      url: fake.url,
      files: { 'group.json': JSON.stringify({ ...storedGroup, timezone: 'UTC', version: 2 }) },
    });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toContain('is based on version 2 of daily-bars, but the group is at version 3');
    expect(fake.requests.map((request) => request.method)).toEqual(['GET']);
  });

  it('deletes with If-Match of the version it read', async () => {
    const fake = await groupApi();
    const outcome = await runCli(['groups', 'delete', 'daily-bars'], { url: fake.url });
    expect(outcome.exitCode).toBe(0);
    expect(fake.requests[1]).toMatchObject({ method: 'DELETE', path: '/groups/daily-bars' });
    expect(fake.requests[1]?.headers['if-match']).toBe('3');
    expect(outcome.stdout).toBe('');
  });

  it("prints a 400's message and every field issue, and exits 1", async () => {
    const fake = await groupApi();
    const outcome = await runCli(['groups', 'create', '-f', 'group.json'], {
      url: fake.url,
      files: { 'group.json': '{"name": "x"}' },
    });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toBe(
      [
        'moomoo: 2 fields are invalid (400 validation_failed)',
        '  schedule: minute 61 is out of range 0-59',
        '  parametersTemplate.code: is required',
        'next: fix what is named above and run the command again',
        '',
      ].join('\n'),
    );
  });

  it('names the file and what to do when it is not JSON', async () => {
    const fake = await groupApi();
    const outcome = await runCli(['groups', 'create', '-f', 'group.json'], {
      url: fake.url,
      files: { 'group.json': '{' },
    });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toMatch(/^moomoo: group\.json is not valid JSON: .*\nnext: fix the JSON/);
    expect(fake.requests).toHaveLength(0);
  });

  it('pauses with a reason and an instant, refusing an instant without its offset', async () => {
    const fake = await groupApi();
    const bad = await runCli(['groups', 'pause', 'daily-bars', '--reason', 'vendor', '--until', '2026-12-01'], {
      url: fake.url,
    });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("option '--until <instant>' argument '2026-12-01' is invalid");
    expect(fake.requests).toHaveLength(0);
  });

  it('says where to find the groups when one does not exist', async () => {
    const fake = await groupApi();
    const outcome = await runCli(['groups', 'get', 'nope'], { url: fake.url });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toBe(
      'moomoo: no route for GET /groups/nope (404 not_found)\nnext: `moomoo groups list` shows the groups that exist\n',
    );
  });
});

describe('moomoo runs watch', () => {
  it('draws nothing but plain lines off a TTY and exits 0 when the run succeeds', async () => {
    const done = aRun({
      status: 'succeeded',
      counters: { total: 3, succeeded: 3, failed: 0, dead: 0 },
      rowsWritten: 30,
    });
    const fake = await groupApi([aRun({ waitingForRateLimit: 2 }), done]);
    const outcome = await runCli(['groups', 'run', 'daily-bars', '--date', '2026-11-27', '--watch'], { url: fake.url });
    expect(outcome.exitCode).toBe(0);
    expect(fake.requests[0]?.body).toEqual({ businessDate: '2026-11-27' });
    expect(outcome.stderr).toContain(
      'run daily-bars.20261127T083000Z.manual-abcd: running 1/3 jobs, 0 failed, 1 requests, 2 waiting for rate limit',
    );
    expect(outcome.stderr).toContain('succeeded 3/3 jobs, 0 failed, 1 requests, 30 rows');
    expect(outcome.stdout).toBe('run daily-bars.20261127T083000Z.manual-abcd succeeded: 3/3 jobs, 1 requests\n');
    expect(outcome.stdout + outcome.stderr).not.toContain('\u001b');
  });

  it('draws a progress bar on a TTY', async () => {
    const fake = await groupApi([
      aRun({ status: 'succeeded', counters: { total: 3, succeeded: 3, failed: 0, dead: 0 } }),
    ]);
    const outcome = await runCli(['runs', 'watch', 'run-1'], { url: fake.url, tty: true });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stderr).toContain('[########################] 3/3 jobs');
    expect(outcome.stderr).toContain('\u001b[');
  });

  it('exits 1 on a partially failed run and says how to see and retry the failed jobs', async () => {
    const fake = await groupApi([
      aRun({ status: 'partially_failed', counters: { total: 3, succeeded: 2, failed: 1, dead: 1 } }),
    ]);
    const outcome = await runCli(['runs', 'watch', 'run-1'], { url: fake.url });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toContain('partially_failed: 1 of 3 jobs failed');
    expect(outcome.stderr).toContain('moomoo runs jobs daily-bars.20261127T083000Z.manual-abcd --status failed');
    expect(outcome.stderr).toContain('moomoo runs retry daily-bars.20261127T083000Z.manual-abcd');
  });

  it('encodes run ids in paths', async () => {
    const fake = await groupApi([aRun({ status: 'succeeded' })]);
    await runCli(['runs', 'get', 'a b/c'], { url: fake.url });
    expect(fake.requests[0]?.path).toBe('/runs/a%20b%2Fc');
  });
});

describe('moomoo without a target', () => {
  it('says how to give the admin API URL', async () => {
    const outcome = await runCli(['groups', 'list']);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toContain('moomoo: no admin API to talk to');
    expect(outcome.stderr).toContain('next: give --url or set MOOMOO_URL');
  });

  it('says the admin API cannot be reached and what to check', async () => {
    const outcome = await runCli(['groups', 'list', '--url', 'http://127.0.0.1:9']);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toMatch(/cannot reach the admin API at http:\/\/127\.0\.0\.1:9/);
    expect(outcome.stderr).toContain('is `npm start` running');
  });
});
