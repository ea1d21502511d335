import { describe, expect, it } from 'vitest';
import { backfillProgress, decideBackfill, newBackfill } from '#shared/domain/backfill.ts';
import { planBackfillRequests } from '#shared/domain/backfill-planning.ts';
import { planWindow, requestedDates, withinWindow } from '#shared/domain/plan-windows.ts';
import { aRun } from '#test/fixtures/builders.ts';

const at = '2026-12-01T00:00:00.000Z';
const aBackfill = () =>
  newBackfill({
    groupId: 'bars',
    dataSource: 'jquants',
    dataset: 'jquants.equities.bars.daily',
    from: '2026-11-02',
    to: '2026-11-06',
    force: false,
    at,
  });
const dates = ['2026-11-02', '2026-11-04', '2026-11-06'];

function backfillOf(decision: ReturnType<typeof decideBackfill>) {
  if ('refused' in decision) throw new Error(`refused: ${decision.refused}`);
  return decision.backfill;
}

describe('backfill planning', () => {
  it('fetches with the fewer of one date-wide request per date and one range request per code', () => {
    const bars = { dateWide: true, codeRanges: true };
    // Two years hold about 490 business days; ten years about 2,450.
    expect(planBackfillRequests(490, { jobs: 40, codes: 40 }, bars)).toEqual({ mode: 'ranges', requests: 40 });
    expect(planBackfillRequests(490, { jobs: 4_400, codes: 4_400 }, bars)).toEqual({ mode: 'dates', requests: 490 });
    expect(planBackfillRequests(2_450, { jobs: 40, codes: 40 }, bars)).toEqual({ mode: 'ranges', requests: 40 });
    expect(planBackfillRequests(2_450, { jobs: 4_400, codes: 4_400 }, bars)).toEqual({
      mode: 'dates',
      requests: 2_450,
    });
    // A template of other jobs runs date by date, each job its request.
    expect(planBackfillRequests(10, { jobs: 3, codes: undefined }, bars)).toEqual({ mode: 'dates', requests: 30 });
    expect(planBackfillRequests(10, { jobs: 40, codes: 40 }, { dateWide: false, codeRanges: false })).toEqual({
      mode: 'dates',
      requests: 400,
    });
  });
});

describe('plan windows', () => {
  it('serves 2, 5, 10 and 20 years back, the Free plan without its newest 12 weeks', () => {
    expect(planWindow('jquants', 'free', '2026-12-05')).toEqual({ earliest: '2024-12-05', latest: '2026-09-12' });
    expect(planWindow('jquants', 'light', '2026-12-05')).toEqual({ earliest: '2021-12-05', latest: '2026-12-05' });
    expect(planWindow('jquants', 'standard', '2026-12-05')?.earliest).toBe('2016-12-05');
    expect(planWindow('jquants', 'premium', '2028-02-29')?.earliest).toBe('2008-02-28');
    expect(planWindow('yahoo', undefined, '2026-12-05')).toBeUndefined();
    const window = { earliest: '2024-12-05', latest: '2026-09-12' };
    expect(withinWindow(window, '2024-12-05', '2026-09-12')).toBe(true);
    expect(withinWindow(window, '2024-12-04', '2025-01-01')).toBe(false);
    expect(withinWindow(window, '2026-09-01', '2026-09-13')).toBe(false);
    expect(requestedDates({ code: '72030', from: '2025-01-01', to: '2025-02-01' })).toEqual({
      from: '2025-01-01',
      to: '2025-02-01',
    });
    expect(requestedDates({ date: '2025-01-01' })).toEqual({ from: '2025-01-01', to: '2025-01-01' });
    expect(requestedDates({ code: '72030' })).toBeUndefined();
  });
});

describe('backfill transitions', () => {
  it('runs its planned dates, counts each finished date and dependent run once, and settles after the last', () => {
    let backfill = backfillOf(
      decideBackfill(aBackfill(), {
        kind: 'planned',
        at,
        plan: { mode: 'dates', dates, skipped: 1, plannedRequests: 3 },
      }),
    );
    backfill = backfillOf(decideBackfill(backfill, { kind: 'dates-started', at, dates: dates.slice(0, 2) }));
    expect(backfillProgress(backfill, 12_000)).toMatchObject({
      dates: { total: 4, skipped: 1, done: 0, running: 2, pending: 1, failed: 0 },
      etaSeconds: 36,
    });
    const first = aRun({
      businessDate: dates[0],
      status: 'succeeded',
      upstreamRequests: 1,
      counters: { total: 2, succeeded: 2, failed: 0, dead: 0 },
    });
    backfill = backfillOf(decideBackfill(backfill, { kind: 'date-finished', at, run: first }));
    expect(decideBackfill(backfill, { kind: 'date-finished', at, run: first })).toEqual({ refused: 'unknown-date' });
    expect(backfillProgress(backfill, 12_000).etaSeconds).toBe(24);
    backfill = backfillOf(decideBackfill(backfill, { kind: 'dates-started', at, dates: dates.slice(2) }));
    for (const date of dates.slice(1)) {
      backfill = backfillOf(
        decideBackfill(backfill, {
          kind: 'date-finished',
          at,
          run: aRun({
            businessDate: date,
            status: 'succeeded',
            counters: { total: 2, succeeded: 2, failed: 0, dead: 0 },
          }),
        }),
      );
    }
    // A dependent group's run of the last date is still going: the backfill waits for it.
    backfill = backfillOf(decideBackfill(backfill, { kind: 'dependents-started', at, runIds: ['analysis.1'] }));
    expect(decideBackfill(backfill, { kind: 'settle', at })).toEqual({ refused: 'unsettled' });
    const dependent = aRun({
      runId: 'analysis.1',
      status: 'succeeded',
      counters: { total: 1, succeeded: 1, failed: 0, dead: 0 },
    });
    backfill = backfillOf(decideBackfill(backfill, { kind: 'dependent-finished', at, run: dependent }));
    backfill = backfillOf(decideBackfill(backfill, { kind: 'settle', at }));
    expect(backfill).toMatchObject({
      status: 'succeeded',
      finishedAt: at,
      inFlight: [],
      dependents: [],
      progress: { done: 3, jobs: { total: 7 }, dependents: { done: 1, failed: 0 } },
    });
    expect(decideBackfill(backfill, { kind: 'cancel', at })).toEqual({ refused: 'finished' });
  });

  it('has nothing to do when every date was skipped, and counts a helper run requests once', () => {
    const none = backfillOf(
      decideBackfill(aBackfill(), {
        kind: 'planned',
        at,
        plan: { mode: 'dates', dates: [], skipped: 3, plannedRequests: 0 },
      }),
    );
    expect(none).toMatchObject({ status: 'succeeded', finishedAt: at });
    const counted = backfillOf(decideBackfill(aBackfill(), { kind: 'requests-made', at, runId: 'calendar', count: 1 }));
    expect(counted.progress.upstreamRequests).toBe(1);
    expect(decideBackfill(counted, { kind: 'requests-made', at, runId: 'calendar', count: 1 })).toEqual({
      refused: 'counted',
    });
  });

  it('counts the dates of a ranges backfill in plan order', () => {
    const planned = backfillOf(
      decideBackfill(aBackfill(), {
        kind: 'planned',
        at,
        plan: { mode: 'ranges', dates, skipped: 0, plannedRequests: 2 },
      }),
    );
    const outOfOrder = aRun({ businessDate: dates[1], status: 'succeeded' });
    expect(decideBackfill(planned, { kind: 'date-finished', at, run: outOfOrder })).toEqual({
      refused: 'unknown-date',
    });
    const first = backfillOf(
      decideBackfill(planned, {
        kind: 'date-finished',
        at,
        run: aRun({ businessDate: dates[0], status: 'partially_failed' }),
      }),
    );
    expect(first).toMatchObject({ started: 1, progress: { done: 0, failed: 1 } });
  });
});
