import { afterEach, describe, expect, it } from 'vitest';
import { aBackfill, runCli, startFakeAdminApi } from '#test/fixtures/cli-harness.ts';

let api: Awaited<ReturnType<typeof startFakeAdminApi>> | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A fake API whose GET /backfills/bf-1 answers each of `states` in turn, then the last one again. */
async function backfillApi(states: Record<string, unknown>[]) {
  let polls = 0;
  api = await startFakeAdminApi((request) => {
    if (request.method === 'POST' && request.path === '/groups/daily-bars/backfill') {
      return { status: 202, body: aBackfill({ status: 'planning', ...(request.body as object) }) };
    }
    if (request.method === 'GET' && request.path === '/backfills/bf-1') {
      const state = states[Math.min(polls, states.length - 1)];
      polls += 1;
      return { status: 200, body: state };
    }
    if (request.method === 'POST' && request.path === '/backfills/bf-1/cancel') {
      return states.at(-1)?.status === 'succeeded'
        ? {
            status: 409,
            body: { error: { code: 'already_finished', message: "backfill 'bf-1' has finished: succeeded" } },
          }
        : { status: 200, body: aBackfill({ status: 'cancelled' }) };
    }
    if (request.method === 'GET' && request.path === '/groups/daily-bars/backfills') {
      return {
        status: 200,
        body: { backfills: [aBackfill(), aBackfill({ backfillId: 'bf-0', status: 'succeeded' })], cursor: 'next-page' },
      };
    }
    return undefined;
  });
  return api;
}

const succeeded = aBackfill({
  status: 'succeeded',
  finishedAt: '2026-11-27T08:05:00.000Z',
  progress: {
    dates: { total: 5, skipped: 1, done: 4, running: 0, pending: 0, failed: 0 },
    jobs: { total: 10, succeeded: 10, failed: 0 },
    rowsWritten: 2000,
    upstreamRequests: 12,
    plannedRequests: 12,
  },
});

describe('moomoo backfill', () => {
  it('starts a backfill with the range and force, and says how to follow it', async () => {
    const fake = await backfillApi([aBackfill()]);
    const outcome = await runCli(
      ['backfill', 'start', 'daily-bars', '--from', '2026-11-02', '--to', '2026-11-06', '--force'],
      {
        url: fake.url,
      },
    );
    expect(outcome.exitCode).toBe(0);
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/groups/daily-bars/backfill',
      body: { from: '2026-11-02', to: '2026-11-06', force: true },
    });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer test-token');
    expect(outcome.stderr).toContain('moomoo backfill watch bf-1');
  });

  it('refuses a range that ends before it starts without calling the API', async () => {
    const fake = await backfillApi([aBackfill()]);
    const outcome = await runCli(['backfill', 'start', 'daily-bars', '--from', '2026-11-06', '--to', '2026-11-02'], {
      url: fake.url,
    });
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toContain('--from 2026-11-06 is after --to 2026-11-02');
    expect(fake.requests).toHaveLength(0);
  });

  it('shows status with dates, jobs, requests and ETA', async () => {
    const fake = await backfillApi([aBackfill()]);
    const outcome = await runCli(['backfill', 'status', 'bf-1'], { url: fake.url, tty: true });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout).toMatch(/dates\s+2 done, 1 skipped, 1 running, 1 pending, 0 failed of 5/);
    expect(outcome.stdout).toMatch(/upstreamRequests\s+8 of 12 planned/);
    expect(outcome.stdout).toMatch(/eta\s+1m 35s/);
  });

  it('watches to success with plain progress lines off a TTY and exits 0', async () => {
    const fake = await backfillApi([aBackfill(), succeeded]);
    const outcome = await runCli(['backfill', 'watch', 'bf-1'], { url: fake.url });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stderr).toContain(
      'backfill bf-1: running 6/10 jobs, dates 3/5 (1 running, 0 failed), 0 jobs failed, 8/12 requests, 1,200 rows, ETA 1m 35s',
    );
    expect(outcome.stderr).not.toContain('\u001b');
    expect(outcome.stdout).toBe('backfill bf-1 succeeded: 4 dates run, 1 skipped\n');
  });

  it('exits non-zero on a partially failed backfill and lists its failures', async () => {
    const partial = aBackfill({
      status: 'partially_failed',
      progress: {
        ...(succeeded.progress as object),
        dates: { total: 5, skipped: 1, done: 3, running: 0, pending: 0, failed: 1 },
      },
      failures: [
        { date: '2026-11-04', runId: 'run-4', jobId: '72030', error: { code: 'upstream_error', message: 'HTTP 500' } },
      ],
    });
    const fake = await backfillApi([partial]);
    const outcome = await runCli(['backfill', 'watch', 'bf-1'], { url: fake.url });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toContain('backfill bf-1 partially_failed: 1 of 5 dates failed');
    expect(outcome.stderr).toContain('failed: 2026-11-04 run-4 72030: upstream_error: HTTP 500');
    expect(outcome.stderr).toContain('next: see the failures with `moomoo backfill status bf-1`');
  });

  it('exits non-zero on a cancelled backfill and prints the final JSON with --json', async () => {
    const fake = await backfillApi([aBackfill({ status: 'cancelled' })]);
    const outcome = await runCli(['backfill', 'watch', 'bf-1', '--json'], { url: fake.url });
    expect(outcome.exitCode).toBe(1);
    expect(JSON.parse(outcome.stdout)).toMatchObject({ backfillId: 'bf-1', status: 'cancelled' });
    expect(outcome.stderr).toContain('was cancelled');
  });

  it('cancels a backfill, and reports the 409 of one that already finished', async () => {
    const running = await backfillApi([aBackfill()]);
    expect((await runCli(['backfill', 'cancel', 'bf-1'], { url: running.url })).exitCode).toBe(0);
    expect(running.requests.at(-1)).toMatchObject({ method: 'POST', path: '/backfills/bf-1/cancel' });
    await running.close();
    const finished = await backfillApi([succeeded]);
    const outcome = await runCli(['backfill', 'cancel', 'bf-1'], { url: finished.url });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toContain("moomoo: backfill 'bf-1' has finished: succeeded (409 already_finished)");
    expect(outcome.stderr).toContain('next: it has already finished, so nothing is left to stop');
    expect(outcome.stderr).toContain('`moomoo backfill status bf-1` shows how it ended');
  });

  it('lists a group backfills with the cursor of the next page', async () => {
    const fake = await backfillApi([aBackfill()]);
    const outcome = await runCli(['backfill', 'list', 'daily-bars', '--limit', '2'], { url: fake.url });
    expect(outcome.exitCode).toBe(0);
    expect(fake.requests[0]?.query).toEqual({ limit: '2' });
    expect(outcome.stdout.split('\n')[0]).toBe(
      'bf-1\t2026-11-02\t2026-11-06\trunning\t3/5\t0\t2026-11-27T08:00:00.000Z',
    );
    expect(outcome.stderr).toContain('--cursor next-page');
    const tooMany = await runCli(['backfill', 'list', 'daily-bars', '--limit', '101'], { url: fake.url });
    expect(tooMany.exitCode).toBe(2);
    expect(fake.requests).toHaveLength(1);
  });
});
