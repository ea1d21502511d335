import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '#infra/local/sandbox.ts';
import { type BinOutcome, moomooBin, stopMoomooBins } from '#test/fixtures/cli-harness.ts';
import { adminClient, finishedRun, startDemoSandbox } from '#test/fixtures/sandbox-client.ts';

/**
 * Backfills through the real `moomoo` bin against the sandbox on the Premium plan (its default): one run per JPX
 * business date, the same range again for nothing, and `--json` exactly as the API answers.
 */
let sandbox: Sandbox;
let request: ReturnType<typeof adminClient>;
const lines: string[] = [];
const moomoo = (...args: string[]): Promise<BinOutcome> =>
  moomooBin(args, { MOOMOO_URL: sandbox.adminUrl, MOOMOO_TOKEN: sandbox.adminToken });

// Marine Day, Monday 2026-07-20, is a JPX holiday: eleven weekdays, ten business dates.
const from = '2026-07-13';
const to = '2026-07-27';
const businessDates = ['13', '14', '15', '16', '17', '21', '22', '23', '24', '27'].map((day) => `2026-07-${day}`);

beforeAll(async () => {
  sandbox = await startDemoSandbox({}, lines);
  request = adminClient(sandbox);
  // The calendar is stored first, as a calendar group does; and twelve codes over ten dates take one date-wide
  // request a date (`dates` mode). The backfill's runs are then exactly its dates' runs.
  for (const group of [
    {
      id: 'calendar',
      name: 'Calendar',
      dataset: 'jquants.markets.calendar',
      parametersTemplate: { from: '2026-07-01', to: '2026-07-31' },
    },
    {
      id: 'bars',
      name: 'Bars',
      dataset: 'jquants.equities.bars.daily',
      parametersTemplate: {
        code: { $each: (sandbox.demoUpstream?.codes ?? []).slice(0, 12) },
        date: '{{businessDate}}',
      },
    },
  ]) {
    const created = await request('POST', '/groups', { ...group, dataSource: 'jquants', schedule: '0 18 * * 1-5' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  const calendar = await request('POST', '/groups/calendar/runs', {});
  expect((await finishedRun(request, calendar.body.runId)).status).toBe('succeeded');
});

afterAll(async () => {
  stopMoomooBins();
  await sandbox?.stop();
});

beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(lines.join('\n'))));

/** The backfill id in what `backfill start` printed on stderr. */
function startedId(outcome: BinOutcome): string {
  const id = /^started backfill (\S+) of /m.exec(outcome.stderr)?.[1];
  if (id === undefined) throw new Error(`no backfill started: ${outcome.stderr}`);
  return id;
}

/** `runs list` off a terminal: one tab-separated line per run (id, date, trigger, status, …). */
function runLines(outcome: BinOutcome): string[][] {
  return outcome.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

describe('moomoo backfill against the sandbox', () => {
  let firstId = '';

  it('runs each business date of the range once, none on the holiday, and the same range again adds no run', async () => {
    const first = await moomoo('backfill', 'start', 'bars', '--from', from, '--to', to, '--watch', '--interval', '1');
    expect(first.exitCode, first.stderr).toBe(0);
    firstId = startedId(first);
    expect(first.stdout).toBe(`backfill ${firstId} succeeded: 10 dates run, 0 skipped\n`);

    const listed = await moomoo('runs', 'list', 'bars');
    expect(listed.exitCode, listed.stderr).toBe(0);
    const runs = runLines(listed);
    expect(runs.map(([, date]) => date).sort()).toEqual(businessDates);
    expect(runs.every(([, , trigger, status]) => trigger === 'backfill' && status === 'succeeded')).toBe(true);

    const again = await moomoo(
      'backfill',
      'start',
      'bars',
      '--from',
      from,
      '--to',
      to,
      '--watch',
      '--interval',
      '1',
      '--json',
    );
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      status: 'succeeded',
      progress: { dates: { total: 10, skipped: 10, done: 0, failed: 0 }, jobs: { total: 0 }, upstreamRequests: 0 },
    });
    expect(runLines(await moomoo('runs', 'list', 'bars'))).toHaveLength(10);
  });

  it('prints with --json exactly what the API answers, and lists the group backfills', async () => {
    const status = await moomoo('backfill', 'status', firstId, '--json');
    expect(status.exitCode, status.stderr).toBe(0);
    const answered = await request('GET', `/backfills/${encodeURIComponent(firstId)}`);
    expect(JSON.parse(status.stdout)).toEqual(answered.body);
    expect(answered.body).toMatchObject({ status: 'succeeded', progress: { dates: { done: 10, skipped: 0 } } });

    const listed = await moomoo('backfill', 'list', 'bars', '--json');
    const { backfills } = JSON.parse(listed.stdout) as { backfills: { backfillId: string }[] };
    expect(backfills).toHaveLength(2);
    expect(backfills[1]?.backfillId).toBe(firstId);
  });

  it('keeps the demo upstream on the plan the data source settings name', async () => {
    expect(sandbox.demoUpstream?.planWindow().plan).toBe('premium');
    const set = await moomoo('data-sources', 'set', 'jquants', '--plan', 'light');
    expect(set.exitCode, set.stderr).toBe(0);
    expect(sandbox.demoUpstream?.planWindow().plan).toBe('light');
  });
});
