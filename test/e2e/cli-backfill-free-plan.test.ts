import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '#infra/local/sandbox.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import { grantIntervalMs } from '#shared/domain/rate-pacing.ts';
import { type BinOutcome, moomooBin, stopMoomooBins } from '#test/fixtures/cli-harness.ts';
import { adminClient, eventually, finishedRun, startDemoSandbox } from '#test/fixtures/sandbox-client.ts';

/**
 * Backfills through the real `moomoo` bin against the sandbox on the Free plan: 5 requests a minute, paced 12.4 s
 * apart, and a demo upstream that answers 429 beyond that and 403 outside the Free window (2 years back, less the
 * newest 12 weeks). A range outside the window is refused, a cancelled backfill starts nothing more, and a scheduled
 * tick goes ahead of a backfill that takes every slot.
 */
let sandbox: Sandbox;
let request: ReturnType<typeof adminClient>;
const lines: string[] = [];
const moomoo = (...args: string[]): Promise<BinOutcome> =>
  moomooBin(args, { MOOMOO_URL: sandbox.adminUrl, MOOMOO_TOKEN: sandbox.adminToken });

const intervalMs = grantIntervalMs({ limit: 5, per: 'minute' });
const tickerCode = '72030';

/** The Free window as the demo upstream serves it today. */
function freeWindow(): { earliest: string; latest: string } {
  const served = sandbox.demoUpstream?.planWindow();
  if (served?.latest === undefined) throw new Error('the demo upstream is not on the Free plan');
  return { earliest: served.earliest, latest: served.latest };
}

/** Most of the window: over 400 business dates, one request each, an hour and a half at 5 a minute. */
const longRange = (): string[] => ['--from', addDays(freeWindow().earliest, 7), '--to', freeWindow().latest];

beforeAll(async () => {
  sandbox = await startDemoSandbox({ demoOptions: { plan: 'free', requestsPerMinute: 5, listedCodeCount: 50 } }, lines);
  request = adminClient(sandbox);
  for (const group of [
    // The whole market on each date: one date-wide request per business date.
    { id: 'history', name: 'History', parametersTemplate: { date: '{{businessDate}}' } },
    // One code each weekday, for a date older than the 12 weeks a Free key withholds.
    {
      id: 'ticker',
      name: 'Ticker',
      parametersTemplate: { code: { $each: [tickerCode] }, date: '{{businessDate-100d}}' },
    },
  ]) {
    const created = await request('POST', '/groups', {
      ...group,
      dataSource: 'jquants',
      dataset: 'jquants.equities.bars.daily',
      schedule: '0 18 * * 1-5',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
});

afterAll(async () => {
  stopMoomooBins();
  await sandbox?.stop();
});

beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(lines.join('\n'))));

/** Starts a backfill of `history` over the long range with `moomoo`; returns its id. */
async function startLongBackfill(): Promise<string> {
  const started = await moomoo('backfill', 'start', 'history', ...longRange(), '--json');
  expect(started.exitCode, started.stderr).toBe(0);
  return (JSON.parse(started.stdout) as { backfillId: string }).backfillId;
}

describe('moomoo backfill on the Free plan', () => {
  it('starts on the Free plan, the demo upstream serving its window', async () => {
    const listed = await moomoo('data-sources', 'list', '--json');
    const { dataSources } = JSON.parse(listed.stdout) as { dataSources: { id: string }[] };
    expect(dataSources.find((source) => source.id === 'jquants')).toMatchObject({
      plan: 'free',
      rateLimit: { limit: 5, per: 'minute' },
    });
    expect(sandbox.demoUpstream?.planWindow().plan).toBe('free');
  });

  it('refuses a range outside the window, naming the window, and exits 1', async () => {
    const from = addDays(freeWindow().earliest, -365);
    const refused = await moomoo('backfill', 'start', 'history', '--from', from, '--to', addDays(from, 30));
    expect(refused.exitCode).toBe(1);
    const { earliest, latest } = freeWindow();
    expect(refused.stderr).toContain(`the jquants free plan serves ${earliest}…${latest}`);
    expect(refused.stderr).toContain('(400 validation_failed)');
    expect((await request('GET', '/groups/history/backfills')).body.backfills).toEqual([]);
  });

  it('cancels a backfill for good: it shows cancelled, no run of it starts afterwards, a second cancel fails', async () => {
    const id = await startLongBackfill();
    await eventually(
      async () => (await request('GET', `/backfills/${encodeURIComponent(id)}`)).body.progress.dates.running > 0,
      30_000,
    );

    const cancelled = await moomoo('backfill', 'cancel', id);
    expect(cancelled.exitCode, cancelled.stderr).toBe(0);
    expect(cancelled.stderr).toContain(`cancelled backfill ${id} (cancelled)`);
    const status = await moomoo('backfill', 'status', id, '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'cancelled', reason: 'cancelled by an operator' });

    // Running, it would start a date's run each time one of its runs finished: one request every 12.4 s.
    const runCount = async (): Promise<number> => (await request('GET', '/groups/history/runs')).body.runs.length;
    const before = await runCount();
    await new Promise((resolve) => setTimeout(resolve, intervalMs + 2_000));
    expect(await runCount()).toBe(before);

    const again = await moomoo('backfill', 'cancel', id);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain(`moomoo: backfill '${id}' has finished: cancelled (409 already_finished)`);
  });

  it('puts a scheduled tick of another group ahead of a backfill that takes every slot, without a 429', async () => {
    const demo = sandbox.demoUpstream;
    if (demo === undefined) throw new Error('no demo upstream');
    const startedAt = Date.now();
    const id = await startLongBackfill();
    const backfillRequests = () =>
      demo.requests.filter((entry) => entry.path.endsWith('/equities/bars/daily') && entry.query.code === undefined);
    // Two of its requests a slot apart: it now takes every slot, with more dates waiting for one.
    await eventually(async () => backfillRequests().filter((entry) => entry.at >= startedAt).length >= 2, 60_000);
    const backfill = (await request('GET', `/backfills/${encodeURIComponent(id)}`)).body;
    expect(backfill.progress.dates.running).toBeGreaterThanOrEqual(2);

    // Measured: from the moment the dispatcher is invoked, as EventBridge Scheduler invokes it, to the arrival at
    // the demo upstream of the tick's first request. That spans the dispatch (claim, jobs, enqueue), the worker's
    // pickup from SQS and its slot reservation, and the wait for the slot: at most one interval after the backfill's
    // last request. Queued behind the backfill's waiting dates, it would wait an interval for each of them.
    const pickupAllowanceMs = 2_000;
    const firedAt = Date.now();
    await sandbox.deliverTick('ticker', new Date(firedAt).toISOString());
    const first = await eventually(
      async () => demo.requests.find((entry) => entry.query.code === tickerCode && entry.at >= firedAt),
      30_000,
    );
    const latencyMs = first.at - firedAt;
    const lastBefore = backfillRequests()
      .filter((entry) => entry.at < first.at)
      .at(-1);
    console.log(
      `tick's first request ${latencyMs} ms after the dispatcher was invoked, ` +
        `${first.at - (lastBefore?.at ?? 0)} ms after the backfill's last request (interval ${intervalMs} ms)`,
    );
    expect(latencyMs).toBeLessThanOrEqual(intervalMs + pickupAllowanceMs);
    expect(first.status).toBe(200);
    const runs = (await request('GET', '/groups/ticker/runs')).body.runs;
    expect(runs).toMatchObject([{ trigger: 'scheduled' }]);
    expect((await finishedRun(request, runs[0].runId, 30_000)).status).toBe('succeeded');

    expect(demo.requests.filter((entry) => entry.status === 429)).toEqual([]);
    expect((await request('POST', `/backfills/${encodeURIComponent(id)}/cancel`)).status).toBe(200);
  });
});
