import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '#infra/local/sandbox.ts';
import { adminClient, finishedRun, startDemoSandbox } from '#test/fixtures/sandbox-client.ts';

let sandbox: Sandbox;
let request: ReturnType<typeof adminClient>;
const lines: string[] = [];

beforeAll(async () => {
  sandbox = await startDemoSandbox({ demoOptions: { pageSize: 100, listedCodeCount: 20 } }, lines);
  request = adminClient(sandbox);
  // The free plan's 5 requests a minute would space the jobs' requests 12 s apart; the demo upstream takes 500.
  const plan = await request('PATCH', '/data-sources/jquants', { plan: 'premium' });
  expect(plan.status, JSON.stringify(plan.body)).toBe(200);
});

afterAll(async () => {
  await sandbox?.stop();
});

const runPath = (runId: string): string => `/runs/${encodeURIComponent(runId)}`;

/** A group of one ranged daily-bars job per code (one request each), two attempts per job. */
async function aGroupOfTwoCodes(id: string): Promise<string[]> {
  const codes = (sandbox.demoUpstream?.codes ?? []).slice(0, 2);
  const created = await request('POST', '/groups', {
    id,
    name: id,
    dataSource: 'jquants',
    dataset: 'jquants.equities.bars.daily',
    schedule: '0 18 * * 1-5',
    maxAttempts: 2,
    parametersTemplate: { code: { $each: codes }, from: '2026-11-02', to: '2026-11-06' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return codes;
}

async function lettersOf(groupId: string): Promise<Record<string, unknown>[]> {
  const response = await request('GET', `/dead-letters?groupId=${groupId}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.deadLetters;
}

describe('dead letters through the sandbox', () => {
  it('shows permanently failed jobs in the dead-letter queue and redrives them once the fault is gone', async () => {
    const codes = await aGroupOfTwoCodes('dl-redrive');
    sandbox.demoUpstream?.injectFault({ kind: 'forbidden', pathPrefix: '/v2/equities/bars/daily' });
    let runId: string;
    try {
      runId = (await request('POST', '/groups/dl-redrive/runs', {})).body.runId;
      const failed = await finishedRun(request, runId);
      expect(failed).toMatchObject({ status: 'failed', counters: { total: 2, failed: 2, dead: 2 } });
    } finally {
      sandbox.demoUpstream?.clearFaults();
    }
    const letters = await lettersOf('dl-redrive');
    expect(letters).toHaveLength(2);
    for (const letter of letters) {
      expect(letter).toMatchObject({
        dataSource: 'jquants',
        unreadable: false,
        movedBy: 'worker',
        groupId: 'dl-redrive',
        runId,
        dataset: 'jquants.equities.bars.daily',
        attemptsMade: 1,
        error: { code: 'upstream_credentials' },
      });
    }
    // Looking changes nothing: the letters are still there.
    expect(await lettersOf('dl-redrive')).toHaveLength(2);

    const redrive = await request('POST', '/dead-letters/redrive', { groupId: 'dl-redrive' });
    expect(redrive.status, JSON.stringify(redrive.body)).toBe(200);
    expect(redrive.body).toMatchObject({ redriven: 2, failed: 0 });
    const succeeded = await finishedRun(request, runId);
    expect(succeeded).toMatchObject({ status: 'succeeded', counters: { total: 2, succeeded: 2, failed: 0, dead: 0 } });
    expect(await lettersOf('dl-redrive')).toEqual([]);
    const jobs = (await request('GET', `${runPath(runId)}/jobs`)).body.jobs;
    expect(jobs.map((job: { status: string }) => job.status)).toEqual(['succeeded', 'succeeded']);
    for (const code of codes) {
      const rows = await request('GET', `/datasets/jquants.equities.bars.daily/rows?code=${code}&from=2026-11-02`);
      expect(rows.body.rows.length, code).toBeGreaterThan(0);
    }
  });

  it('retries a run whose jobs ran out of attempts, taking their letters out of the dead-letter queue', async () => {
    await aGroupOfTwoCodes('dl-retry');
    sandbox.demoUpstream?.injectFault({ kind: 'server-error', pathPrefix: '/v2/equities/bars/daily' });
    let runId: string;
    try {
      runId = (await request('POST', '/groups/dl-retry/runs', {})).body.runId;
      const failed = await finishedRun(request, runId);
      expect(failed).toMatchObject({ status: 'failed', counters: { total: 2, failed: 2, dead: 2 } });
    } finally {
      sandbox.demoUpstream?.clearFaults();
    }
    const letters = await lettersOf('dl-retry');
    expect(letters.map((letter) => letter.attemptsMade)).toEqual([2, 2]);

    const retry = await request('POST', `${runPath(runId)}/retry`);
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    expect(retry.body).toMatchObject({
      retried: 2,
      failed: 0,
      deadLetters: { redriven: 2 },
    });
    // The jobs may already have run by the time the answer comes: the run is running again or done.
    expect(['running', 'succeeded']).toContain(retry.body.run.status);
    expect(await finishedRun(request, runId)).toMatchObject({
      status: 'succeeded',
      counters: { succeeded: 2, failed: 0 },
    });
    expect(await lettersOf('dl-retry')).toEqual([]);
    expect((await request('POST', '/runs/no-such-run/retry')).status).toBe(404);
    expect((await request('POST', '/dead-letters/redrive', { dataSource: 'nasdaq' })).status).toBe(400);
  });
});
