import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Sandbox, startSandbox } from '#infra/local/sandbox.ts';
import { adminClient, eventually } from '#test/fixtures/sandbox-client.ts';

/**
 * Fault injection through the whole sandbox and the demo upstream's switchable faults. After every fault: each job
 * is `succeeded`, or `failed` with its error and dead-lettered; the stored rows are exactly the upstream's rows (no
 * loss, no duplicates); the run's counters add up.
 */
let sandbox: Sandbox;
let request: ReturnType<typeof adminClient>;
const lines: string[] = [];
let emulatorLost: string | undefined;
const codes = ['72030', '67580', '99840', '130A0'];
const from = '2026-11-02';
const to = '2026-11-13';

beforeAll(async () => {
  // Production pacing is minutes (a 60 s pause per 429, 10 s first backoff); the faults here play out in seconds.
  Object.assign(process.env, {
    RATE_LIMIT_MIN_PAUSE_MS: '1000',
    RETRY_BASE_DELAY_SECONDS: '1',
    UPSTREAM_TIMEOUT_MS: '1500',
  });
  sandbox = await startSandbox({
    port: 0,
    awsEndpoint: inject('motoEndpoint'),
    autoTick: false,
    reconcileIntervalMs: 3_600_000,
    demo: true,
    demoOptions: { requestsPerMinute: 0 },
    seedDemoGroups: false,
    print: (line) => lines.push(line),
    onEmulatorLost: (reason) => {
      emulatorLost = reason;
    },
  });
  request = adminClient(sandbox);
});

afterAll(async () => {
  await sandbox?.stop();
});

/** The rows the upstream really has for one code over the range, asked directly. */
async function upstreamDates(code: string): Promise<string[]> {
  const url = `${sandbox.demoUpstream?.jquantsBaseUrl}/equities/bars/daily?code=${code}&from=${from}&to=${to}`;
  const response = await fetch(url, { headers: { 'x-api-key': 'demo-key' } });
  const body = (await response.json()) as { data: { Date: string }[] };
  return body.data.map((row) => row.Date).sort();
}

async function storedDates(code: string): Promise<string[]> {
  const page = await request(
    'GET',
    `/datasets/jquants.equities.bars.daily/rows?code=${code}&from=${from}&to=${to}&limit=1000`,
  );
  return page.body.rows.map((row: { date: string }) => row.date);
}

/** Runs a fresh group of one range job per code under a fault and checks the run's end state. */
async function runUnderFault(id: string, fault: Record<string, unknown>, maxAttempts = 5) {
  await request('POST', '/groups', {
    id,
    name: id,
    dataSource: 'jquants',
    dataset: 'jquants.equities.bars.daily',
    schedule: '0 18 * * 1-5',
    maxAttempts,
    parametersTemplate: { code: { $each: codes }, from, to },
  });
  sandbox.demoUpstream?.clearFaults();
  sandbox.demoUpstream?.injectFault({ pathPrefix: '/equities/bars/daily', ...fault } as never);
  const started = await request('POST', `/groups/${id}/runs`, {});
  const runId = started.body.runId as string;
  const run = await eventually(async () => {
    const current = (await request('GET', `/runs/${encodeURIComponent(runId)}`)).body;
    if (process.env.DEBUG_SANDBOX) {
      const jobs = (await request('GET', `/runs/${encodeURIComponent(runId)}/jobs`)).body.jobs;
      console.log(
        JSON.stringify(
          jobs.map((job: { status: string; attemptsMade: number; lastError?: unknown; updatedAt: string }) => [
            job.status,
            job.attemptsMade,
            job.updatedAt,
            job.lastError,
          ]),
        ),
      );
    }
    return ['succeeded', 'partially_failed', 'failed'].includes(current.status) ? current : undefined;
  }, 90_000);
  sandbox.demoUpstream?.clearFaults();
  const jobs = (await request('GET', `/runs/${encodeURIComponent(runId)}/jobs?limit=1000`)).body.jobs;
  const succeeded = jobs.filter((job: { status: string }) => job.status === 'succeeded').length;
  const failed = jobs.filter((job: { status: string }) => job.status === 'failed');
  expect(run.counters).toEqual({
    total: codes.length,
    succeeded,
    failed: failed.length,
    dead: failed.filter((job: { deadLettered: boolean }) => job.deadLettered).length,
  });
  for (const job of failed) expect(job.lastError.message.length).toBeGreaterThan(0);
  return { run, jobs };
}

async function expectStoredRowsExact(): Promise<void> {
  for (const code of codes) expect(await storedDates(code), code).toEqual(await upstreamDates(code));
}

describe('faults through the sandbox', () => {
  it('rides out a burst of 5xx answers: every job succeeds and every row is stored once', async () => {
    const { run } = await runUnderFault('burst-5xx', { kind: 'server-error', count: 5 });
    expect(run.status).toBe('succeeded');
    await expectStoredRowsExact();
  });

  it('retries answers slower than the timeout', async () => {
    const { run } = await runUnderFault('timeouts', { kind: 'slow', delayMs: 3_000, count: 2 });
    expect(run.status).toBe('succeeded');
    await expectStoredRowsExact();
  });

  it('retries malformed bodies', async () => {
    const { run } = await runUnderFault('malformed', { kind: 'malformed', count: 3 });
    expect(run.status).toBe('succeeded');
    await expectStoredRowsExact();
  });

  it('pauses on a 429 storm without spending attempts or dead-lettering anything', async () => {
    const { run, jobs } = await runUnderFault('storm-429', { kind: 'rate-limited', count: 6 }, 2);
    expect(run.status).toBe('succeeded');
    expect(jobs.every((job: { attemptsMade: number }) => job.attemptsMade === 1)).toBe(true);
    expect(lines.some((line) => line.includes('storm-429') && line.includes('failed'))).toBe(false);
    await expectStoredRowsExact();
  });

  it('fails and dead-letters jobs whose attempts run out, with the last error', async () => {
    const { run, jobs } = await runUnderFault('exhausted', { kind: 'server-error', count: 1_000 }, 2);
    expect(run.status).toBe('failed');
    for (const job of jobs) {
      expect(job).toMatchObject({
        status: 'failed',
        attemptsMade: 2,
        deadLettered: true,
        lastError: { code: 'upstream_unavailable' },
      });
    }
  });

  it('reports an emulator that lost its state under it and stops', async () => {
    await fetch(`${sandbox.awsEndpoint}/moto-api/reset`, { method: 'POST' });
    await eventually(async () => emulatorLost !== undefined, 20_000);
    expect(emulatorLost).toContain('lost its state');
    expect(lines.some((line) => line.startsWith('sandbox: the AWS emulator'))).toBe(true);
    await expect(fetch(`${sandbox.adminUrl}/groups`)).rejects.toThrow();
  });
});
