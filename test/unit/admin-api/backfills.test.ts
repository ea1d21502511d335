import { describe, expect, it } from 'vitest';
import { aGroupDraft, anAdminApi } from '#test/fixtures/admin-api-harness.ts';

/** The harness clock stands at 2026-11-27; the Free plan serves 2024-11-27…2026-09-04 then. */
async function anApiWithGroup() {
  const harness = anAdminApi();
  await harness.request('POST', '/groups', aGroupDraft({ id: 'bars' }));
  return harness;
}

describe('admin API: backfills', () => {
  it('starts a backfill (202, planning, its first step asked for), reads it and lists it', async () => {
    const { request, steps } = await anApiWithGroup();
    const started = await request('POST', '/groups/bars/backfill', { from: '2026-06-01', to: '2026-06-30' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      groupId: 'bars',
      from: '2026-06-01',
      to: '2026-06-30',
      force: false,
      status: 'planning',
      progress: { dates: { total: 0, done: 0 }, jobs: { total: 0 }, rowsWritten: 0, upstreamRequests: 0 },
      failures: [],
    });
    const { backfillId } = started.body;
    expect(started.headers.location).toBe(`/backfills/${encodeURIComponent(backfillId)}`);
    expect(steps.requested).toEqual([backfillId]);
    expect((await request('GET', `/backfills/${encodeURIComponent(backfillId)}`)).body.backfillId).toBe(backfillId);
    const listed = await request('GET', '/groups/bars/backfills');
    expect(listed.body.backfills.map((backfill: { backfillId: string }) => backfill.backfillId)).toEqual([backfillId]);
  });

  it('cancels a backfill once: 200, then 409 for one already finished', async () => {
    const { request } = await anApiWithGroup();
    const { backfillId } = (await request('POST', '/groups/bars/backfill', { from: '2026-06-01', to: '2026-06-30' }))
      .body;
    const path = `/backfills/${encodeURIComponent(backfillId)}/cancel`;
    const cancelled = await request('POST', path);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', reason: 'cancelled by an operator' });
    expect(cancelled.body.progress.etaSeconds).toBeUndefined();
    const again = await request('POST', path);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_finished');
  });

  it('refuses a range outside the plan window with a 400 naming the window', async () => {
    const { request, steps } = await anApiWithGroup();
    const response = await request('POST', '/groups/bars/backfill', { from: '2020-01-01', to: '2020-12-31' });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('the jquants free plan serves 2024-11-27…2026-09-04');
    expect(response.body.error.details.issues).toEqual([{ path: 'from', message: expect.stringContaining('outside') }]);
    expect(steps.requested).toEqual([]);
  });

  it('answers 404 to an unknown group or backfill and 400 to a bad range or body', async () => {
    const { request } = await anApiWithGroup();
    expect((await request('POST', '/groups/nope/backfill', { from: '2026-06-01', to: '2026-06-02' })).status).toBe(404);
    expect((await request('GET', '/backfills/nope')).status).toBe(404);
    expect((await request('POST', '/backfills/nope/cancel')).status).toBe(404);
    for (const body of [
      { from: '2026-06-02', to: '2026-06-01' },
      { from: '2026-06-01', to: '2099-01-01' },
      { from: '2026-13-01', to: '2026-06-01' },
      { from: '2026-06-01' },
      { from: '2026-06-01', to: '2026-06-02', everything: true },
    ]) {
      const response = await request('POST', '/groups/bars/backfill', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
  });
});
