import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDemoMarket } from '#infra/local/demo-upstream/demo-market.ts';
import { type DemoUpstream, startDemoUpstream } from '#infra/local/demo-upstream/demo-upstream.ts';
import { type StartedSandbox, startSandboxProcess } from '#test/fixtures/processes.ts';
import { eventually } from '#test/fixtures/sandbox-client.ts';

/**
 * The whole sandbox killed (`kill -9`) in the middle of a run, and `npm start` run again on the same emulator: the
 * run finishes with every row stored exactly once. The workers run on a 5 s limit here (visibility 30 s), so that
 * messages lost in the killed process come back within the test; deployed, they come back within 3 minutes.
 */
const token = 'restart-token';
const codes = createDemoMarket(300)
  .issues.slice(0, 120)
  .map((issue) => issue.code);
const from = '2026-11-16';
const to = '2026-11-20';
const started: StartedSandbox[] = [];
let reference: DemoUpstream | undefined;

function start(): StartedSandbox {
  const sandbox = startSandboxProcess({
    AWS_ENDPOINT_URL: inject('motoEndpoint'),
    PORT: '0',
    ADMIN_TOKEN: token,
    MOOMOO_WORKER_TIMEOUT_SECONDS: '5',
    JQUANTS_API_KEY: undefined,
  });
  started.push(sandbox);
  return sandbox;
}

function client(adminUrl: string) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, never> };
  };
}

afterAll(async () => {
  for (const sandbox of started) {
    if (sandbox.child.exitCode === null && sandbox.child.signalCode === null) sandbox.child.kill('SIGKILL');
    await sandbox.exited;
  }
  await reference?.close();
});

describe('a sandbox killed mid-run and started again', () => {
  it('finishes the run on the same emulator with every row stored exactly once', { timeout: 240_000 }, async () => {
    const first = start();
    const request = client(await first.adminUrl());
    const created = await request('POST', '/groups', {
      id: 'ranges',
      name: 'Ranges',
      dataSource: 'jquants',
      dataset: 'jquants.equities.bars.daily',
      schedule: '0 18 * * 1-5',
      parametersTemplate: { code: { $each: codes }, from, to },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = String((await request('POST', '/groups/ranges/runs', {})).body.runId);
    const path = `/runs/${encodeURIComponent(runId)}`;
    await eventually(async () => {
      const run = (await request('GET', path)).body as { counters?: { succeeded: number } };
      return (run.counters?.succeeded ?? 0) >= 20;
    }, 60_000);

    // Killed with its invocations in flight: their messages are invisible, their jobs held under leases.
    first.child.kill('SIGKILL');
    await first.exited;
    const left = (await request('GET', path).catch(() => undefined)) === undefined;
    expect(left).toBe(true);

    const second = start();
    const again = client(await second.adminUrl());
    const run = await eventually(async () => {
      const current = (await again('GET', path)).body as unknown as { status: string };
      return ['succeeded', 'partially_failed', 'failed'].includes(current.status) ? current : undefined;
    }, 120_000);
    expect(run, second.output()).toMatchObject({
      status: 'succeeded',
      counters: { total: codes.length, succeeded: codes.length, failed: 0, dead: 0 },
    });

    reference = await startDemoUpstream({ requestsPerMinute: 0 });
    for (const code of codes) {
      const expected = await fetch(
        `${reference.jquantsBaseUrl}/equities/bars/daily?code=${code}&from=${from}&to=${to}`,
        {
          headers: { 'x-api-key': 'demo-key' },
        },
      );
      const upstreamDates = ((await expected.json()) as { data: { Date: string }[] }).data.map((row) => row.Date);
      const stored = await again(
        'GET',
        `/datasets/jquants.equities.bars.daily/rows?code=${code}&from=${from}&to=${to}&limit=100`,
      );
      const storedDates = (stored.body.rows as unknown as { date: string }[]).map((row) => row.date);
      expect(storedDates, code).toEqual(upstreamDates.sort());
    }
  });
});
