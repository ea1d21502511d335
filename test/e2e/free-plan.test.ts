import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '#infra/local/sandbox.ts';
import { adminClient, eventually, finishedRun, startDemoSandbox } from '#test/fixtures/sandbox-client.ts';

/**
 * The plan most users start with, through the whole sandbox: J-Quants Free allows 5 requests a minute, and the demo
 * upstream enforces exactly that (429 over it). A date-wide fetch of 40 listed codes in pages of 10 takes 4 pages,
 * hence 4 requests 12 s apart: it must finish, in those 4 requests and no 429, showing its wait meanwhile. The demo
 * follows the plan set here and withholds the newest 12 weeks, as a Free key does, so the run fetches an older date.
 */
let sandbox: Sandbox;
let request: ReturnType<typeof adminClient>;
const lines: string[] = [];

beforeAll(async () => {
  sandbox = await startDemoSandbox(
    { demoOptions: { pageSize: 10, listedCodeCount: 40, requestsPerMinute: 5 }, progressIntervalMs: 2_000 },
    lines,
  );
  request = adminClient(sandbox);
  const { version } = (await request('GET', '/data-sources')).body.dataSources.find(
    (source: { id: string }) => source.id === 'jquants',
  );
  expect((await request('PATCH', '/data-sources/jquants', { plan: 'free', version })).status).toBe(200);
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('the Free plan through the sandbox', () => {
  it('finishes a 4-page date in 4 requests without a 429, showing its jobs waiting for the rate limit meanwhile', async () => {
    const codes = (sandbox.demoUpstream?.codes ?? []).slice(0, 2);
    const created = await request('POST', '/groups', {
      id: 'two-codes',
      name: 'Two codes',
      dataSource: 'jquants',
      dataset: 'jquants.equities.bars.daily',
      schedule: '0 18 * * 1-5',
      parametersTemplate: { code: { $each: codes }, date: '{{previousBusinessDay}}' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    sandbox.demoUpstream?.resetRequests();
    const started = await request('POST', '/groups/two-codes/runs', { businessDate: '2026-06-02' });
    expect(started.status).toBe(202);
    const runId = encodeURIComponent(started.body.runId);

    const waiting = await eventually(async () => {
      const jobs = (await request('GET', `/runs/${runId}/jobs`)).body.jobs as { waitingFor?: string }[];
      return jobs.some((job) => job.waitingFor === 'rate-limit') ? jobs : undefined;
    }, 60_000);
    expect(waiting).toHaveLength(2);
    const run = await finishedRun(request, started.body.runId, 120_000);

    expect(run).toMatchObject({ status: 'succeeded', upstreamRequests: 4, waitingForRateLimit: 0 });
    expect(run.deferrals).toBeGreaterThan(0);
    const answered =
      sandbox.demoUpstream?.requests.filter((entry) => entry.path.endsWith('/equities/bars/daily')) ?? [];
    expect(answered.map((entry) => entry.status)).toEqual([200, 200, 200, 200]);
    const jobs = (await request('GET', `/runs/${runId}/jobs`)).body.jobs;
    expect(jobs.map((job: { rowsWritten: number }) => job.rowsWritten)).toEqual([1, 1]);
    // The sandbox kept printing the run's progress while it waited.
    const progress = lines.filter((line) => line.startsWith(`run ${started.body.runId}`) && line.includes('running'));
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.some((line) => line.includes('waiting for the rate limit'))).toBe(true);
  });
});
