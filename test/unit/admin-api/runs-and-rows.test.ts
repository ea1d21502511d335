import { describe, expect, it } from 'vitest';
import { requireDataset } from '#shared/datasets/registry.ts';
import { aGroupDraft, anAdminApi } from '#test/fixtures/admin-api-harness.ts';

describe('admin API: runs and rows', () => {
  it('runs a group now and shows the run, its jobs and the group history', async () => {
    const { request, queue } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'bars' }));
    const started = await request('POST', '/groups/bars/runs', { businessDate: '2026-11-20' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      groupId: 'bars',
      trigger: 'manual',
      businessDate: '2026-11-20',
      status: 'running',
    });
    expect(queue.messages).toHaveLength(1);
    const runId = started.body.runId as string;
    expect(started.headers.location).toBe(`/runs/${encodeURIComponent(runId)}`);

    expect((await request('GET', `/runs/${encodeURIComponent(runId)}`)).body.counters.total).toBe(2);
    const jobs = await request('GET', `/runs/${encodeURIComponent(runId)}/jobs?status=queued`);
    expect(jobs.body.jobs.map((job: { params: { code: string } }) => job.params.code).sort()).toEqual([
      '130A0',
      '72030',
    ]);
    expect((await request('GET', '/groups/bars/runs')).body.runs.map((run: { runId: string }) => run.runId)).toEqual([
      runId,
    ]);
  });

  it('runs a group now without a body', async () => {
    const { request } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'bars' }));
    const started = await request('POST', '/groups/bars/runs');
    expect(started.status).toBe(202);
    expect(started.body.businessDate).toBe('2026-11-27');
  });

  it('answers 404 for a missing group, run or its jobs, and 400 for a bad status or date', async () => {
    const { request } = anAdminApi();
    expect((await request('POST', '/groups/nope/runs')).status).toBe(404);
    expect((await request('GET', '/runs/nope')).status).toBe(404);
    expect((await request('GET', '/runs/nope/jobs')).status).toBe(404);
    await request('POST', '/groups', aGroupDraft({ id: 'bars' }));
    expect((await request('POST', '/groups/bars/runs', { businessDate: '2026-02-30' })).status).toBe(400);
    const run = (await request('POST', '/groups/bars/runs')).body.runId as string;
    expect((await request('GET', `/runs/${encodeURIComponent(run)}/jobs?status=lost`)).status).toBe(400);
  });

  it('reads stored rows by code, by date and by range, page by page', async () => {
    const { request, marketData } = anAdminApi();
    const bars = requireDataset('jquants.equities.bars.daily');
    const rows = ['2026-11-25', '2026-11-26', '2026-11-27'].flatMap((date) =>
      ['72030', '130A0'].map((code) => ({ code, date, close: 1, fetchedAt: 'x', runId: 'r' })),
    );
    await marketData.upsertRows(bars, rows);
    const byCode = await request('GET', '/datasets/jquants.equities.bars.daily/rows?code=130A0');
    expect(byCode.body.rows.map((row: { date: string }) => row.date)).toEqual([
      '2026-11-25',
      '2026-11-26',
      '2026-11-27',
    ]);
    const byDate = await request('GET', '/datasets/jquants.equities.bars.daily/rows?date=2026-11-26');
    expect(byDate.body.rows.map((row: { code: string }) => row.code)).toEqual(['130A0', '72030']);
    const range = await request(
      'GET',
      '/datasets/jquants.equities.bars.daily/rows?code=72030&from=2026-11-26&to=2026-11-27&limit=1',
    );
    expect(range.body.rows).toHaveLength(1);
    const next = await request(
      'GET',
      `/datasets/jquants.equities.bars.daily/rows?code=72030&from=2026-11-26&to=2026-11-27&limit=1&cursor=${range.body.cursor}`,
    );
    expect(next.body.rows.map((row: { date: string }) => row.date)).toEqual(['2026-11-27']);
  });

  it('answers 400 to row queries that name no code or date, or mix date and range, or an unknown dataset', async () => {
    const { request } = anAdminApi();
    expect((await request('GET', '/datasets/jquants.equities.bars.daily/rows')).status).toBe(400);
    expect(
      (await request('GET', '/datasets/jquants.equities.bars.daily/rows?code=72030&date=2026-11-27&from=2026-11-01'))
        .status,
    ).toBe(400);
    expect((await request('GET', '/datasets/nope/rows?code=1')).status).toBe(400);
    expect((await request('GET', '/datasets/jquants.equities.bars.daily/rows?code=72030&cursor=garbage')).status).toBe(
      400,
    );
  });

  it('checks a data source and shows its health in the list', async () => {
    const { request } = anAdminApi();
    const check = await request('POST', '/data-sources/jquants/check');
    expect(check.body).toMatchObject({ id: 'jquants', status: 'ok' });
    const sources = await request('GET', '/data-sources');
    expect(sources.body.dataSources.find((source: { id: string }) => source.id === 'jquants').health.status).toBe('ok');
  });

  it('shows a data source paused after a 429 until the pause ends', async () => {
    const { request, rateLimiter } = anAdminApi();
    const status = await rateLimiter.pause('jquants');
    const sources = (await request('GET', '/data-sources')).body.dataSources;
    expect(sources.find((source: { id: string }) => source.id === 'jquants').paused).toEqual({
      until: status.pausedUntil,
      consecutive429s: 1,
    });
    expect(sources.find((source: { id: string }) => source.id === 'yahoo').paused).toBeUndefined();
  });
});
