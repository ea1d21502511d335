import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '#infra/local/sandbox.ts';
import { adminClient, eventually, finishedRun, startDemoSandbox } from '#test/fixtures/sandbox-client.ts';

let sandbox: Sandbox;
let request: ReturnType<typeof adminClient>;
const lines: string[] = [];

beforeAll(async () => {
  sandbox = await startDemoSandbox({ demoOptions: { pageSize: 100, listedCodeCount: 300 } }, lines);
  request = adminClient(sandbox);
});

afterAll(async () => {
  await sandbox?.stop();
});

async function allRows(path: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await request('GET', `${path}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    rows.push(...page.body.rows);
    cursor = page.body.cursor;
  } while (cursor !== undefined);
  return rows;
}

const group = (overrides: Record<string, unknown>) => ({
  dataSource: 'jquants',
  schedule: '0 18 * * 1-5',
  ...overrides,
});

describe('data plane through the sandbox', () => {
  it('fetches a full-market date of daily bars with one request per page, every row once', async () => {
    const codes = sandbox.demoUpstream?.codes ?? [];
    await request(
      'POST',
      '/groups',
      group({
        id: 'all-bars',
        name: 'All bars',
        dataset: 'jquants.equities.bars.daily',
        parametersTemplate: { code: { $each: codes }, date: '2026-11-26' },
      }),
    );
    sandbox.demoUpstream?.resetRequests();
    const started = await request('POST', '/groups/all-bars/runs', {});
    expect(started.status).toBe(202);
    const run = await finishedRun(request, started.body.runId);
    expect(run).toMatchObject({ status: 'succeeded', counters: { total: codes.length, succeeded: codes.length } });
    expect(run.upstreamRequests).toBe(3);
    const bars = sandbox.demoUpstream?.requests.filter((entry) => entry.path.endsWith('/equities/bars/daily')) ?? [];
    expect(bars).toHaveLength(3);
    const rows = await allRows('/datasets/jquants.equities.bars.daily/rows?date=2026-11-26');
    expect(rows).toHaveLength(codes.length);
    expect(new Set(rows.map((row) => row.code)).size).toBe(codes.length);
    const letterCode = codes.find((code) => /[A-Z]/.test(code));
    expect(rows.some((row) => row.code === letterCode)).toBe(true);
    const noTrade = rows.filter((row) => row.close === null);
    expect(noTrade.every((row) => row.open === null && row.volume === null)).toBe(true);
    expect(rows.every((row) => typeof row.close === 'number' || row.close === null)).toBe(true);
  });

  it('normalises string numbers and blanks of fins summaries and dividends', async () => {
    await request(
      'POST',
      '/groups',
      group({ id: 'fins', name: 'Fins', dataset: 'jquants.fins.summary', parametersTemplate: { date: '2026-11-13' } }),
    );
    const run = await finishedRun(request, (await request('POST', '/groups/fins/runs', {})).body.runId);
    expect(run.status).toBe('succeeded');
    const rows = await allRows('/datasets/jquants.fins.summary/rows?date=2026-11-13');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      for (const [field, value] of Object.entries(row)) {
        if (
          [
            'discNo',
            'code',
            'discDate',
            'discTime',
            'documentType',
            'currentPeriodType',
            'fetchedAt',
            'runId',
          ].includes(field)
        )
          continue;
        expect(value === '' || value === '-', `${field} of ${String(row.discNo)}`).toBe(false);
      }
    }
    expect(rows.some((row) => Object.values(row).some((value) => value === null))).toBe(true);
    expect(rows.every((row) => typeof row.netSales === 'number' || row.netSales === null)).toBe(true);

    await request(
      'POST',
      '/groups',
      group({
        id: 'dividends',
        name: 'Dividends',
        dataset: 'jquants.fins.dividend',
        parametersTemplate: { date: '2026-11-13' },
      }),
    );
    expect((await finishedRun(request, (await request('POST', '/groups/dividends/runs', {})).body.runId)).status).toBe(
      'succeeded',
    );
    const dividends = await allRows('/datasets/jquants.fins.dividend/rows?date=2026-11-13');
    expect(dividends.length).toBeGreaterThan(0);
    const amounts = dividends.flatMap((row) => [row.dividendRate, row.distributionAmount]);
    expect(amounts.every((value) => typeof value === 'number' || value === null)).toBe(true);
    expect(amounts.some((value) => value === null)).toBe(true);
  });

  it('fetches a Yahoo chart group and exposes its rows by symbol', async () => {
    await request(
      'POST',
      '/groups',
      group({
        id: 'toyota',
        name: 'Toyota',
        dataSource: 'yahoo',
        dataset: 'yahoo.chart.daily',
        parametersTemplate: { symbol: '7203.T', from: '2026-11-16', to: '2026-11-20' },
      }),
    );
    const run = await finishedRun(request, (await request('POST', '/groups/toyota/runs', {})).body.runId);
    expect(run.status).toBe('succeeded');
    const rows = await allRows('/datasets/yahoo.chart.daily/rows?code=7203.T&from=2026-11-16&to=2026-11-20');
    expect(rows.map((row) => row.date)).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20']);
  });

  it('adds no rows and counts nothing again when a job message is replayed', async () => {
    await request(
      'POST',
      '/groups',
      group({
        id: 'one-bar',
        name: 'One',
        dataset: 'jquants.equities.bars.daily',
        parametersTemplate: { code: '72030', from: '2026-11-02', to: '2026-11-06' },
      }),
    );
    const run = await finishedRun(request, (await request('POST', '/groups/one-bar/runs', {})).body.runId);
    const jobs = (await request('GET', `/runs/${encodeURIComponent(run.runId)}/jobs`)).body.jobs;
    const before = await allRows('/datasets/jquants.equities.bars.daily/rows?code=72030&from=2026-11-02&to=2026-11-06');
    const sqs = new SQSClient({ endpoint: sandbox.awsEndpoint, useQueueUrlAsEndpoint: false });
    const queueUrl = sandbox.environment.JQUANTS_QUEUE_URL ?? '';
    const replay = {
      version: 1,
      runId: run.runId,
      jobId: jobs[0].jobId,
      groupId: 'one-bar',
      dataSource: 'jquants',
      dataset: 'jquants.equities.bars.daily',
      businessDate: run.businessDate,
      params: jobs[0].params,
    };
    sandbox.demoUpstream?.resetRequests();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(replay) }));
    // The worker has taken the replay once the queue holds nothing, visible or in flight.
    await eventually(async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Attributes.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0';
    });
    expect(sandbox.demoUpstream?.requests).toEqual([]);
    expect(
      await allRows('/datasets/jquants.equities.bars.daily/rows?code=72030&from=2026-11-02&to=2026-11-06'),
    ).toEqual(before);
    expect((await request('GET', `/runs/${encodeURIComponent(run.runId)}`)).body.counters).toEqual(run.counters);
  });

  it('creates no second run when a schedule delivers the same tick twice', async () => {
    await sandbox.deliverTick('one-bar', '2026-11-27T09:00:00Z');
    await sandbox.deliverTick('one-bar', '2026-11-27T09:00:00Z');
    const runs = (await request('GET', '/groups/one-bar/runs')).body.runs.filter(
      (run: { trigger: string }) => run.trigger === 'scheduled',
    );
    expect(runs).toHaveLength(1);
    expect((await finishedRun(request, runs[0].runId)).status).toBe('succeeded');
  });

  it('marks the data source on a 403 and fails its jobs at once with a readable error', async () => {
    sandbox.demoUpstream?.injectFault({ kind: 'forbidden', pathPrefix: '/v2/', count: 100 });
    try {
      const run = await finishedRun(request, (await request('POST', '/groups/one-bar/runs', {})).body.runId);
      expect(run).toMatchObject({ status: 'failed', counters: { total: 1, failed: 1, dead: 1 } });
      const [job] = (await request('GET', `/runs/${encodeURIComponent(run.runId)}/jobs?status=failed`)).body.jobs;
      expect(job).toMatchObject({ attemptsMade: 1, lastError: { code: 'upstream_credentials' } });
      expect(job.lastError.message).toContain('invalid or expired');
      const sources = (await request('GET', '/data-sources')).body.dataSources;
      expect(sources.find((source: { id: string }) => source.id === 'jquants').health).toMatchObject({
        status: 'failing',
      });
    } finally {
      sandbox.demoUpstream?.clearFaults();
    }
  });
});
