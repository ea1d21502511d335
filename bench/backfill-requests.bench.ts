import { requireDataset } from '#shared/datasets/registry.ts';
import { planBackfillRequests } from '#shared/domain/backfill-planning.ts';
import { addDays, isWeekend } from '#shared/domain/calendar-date.ts';
import { aDailyBarRow, aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlane } from '#test/fixtures/data-plane-harness.ts';

/**
 * Upstream requests of backfills of daily bars over two years: 40 codes, and the whole market (4,400 codes). The
 * 40-code backfill runs through the real backfill engine over in-memory stores and a counting data source; the
 * whole market's figure comes from the same planner (4,400 × 490 stored rows would only measure the fakes).
 */
export async function benchBackfillRequests(): Promise<Record<string, number | string>> {
  const to = '2026-08-31';
  const from = addDays(to, -730);
  const businessDays: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) if (!isWeekend(day)) businessDays.push(day);
  const bars = requireDataset('jquants.equities.bars.daily');
  const reach = { dateWide: bars.dateWide, codeRanges: true };
  const fullMarket = planBackfillRequests(businessDays.length, { jobs: 4_400, codes: 4_400 }, reach);

  const codes = Array.from({ length: 40 }, (_, index) => `${1300 + index}0`);
  const plane = aDataPlane();
  await plane.settingsStore.put({ id: 'jquants', plan: 'premium', updatedAt: `${to}T00:00:00.000Z`, version: 1 }, 0);
  await plane.groupStore.create(
    aJobGroup({ id: 'forty', parametersTemplate: { code: { $each: codes }, date: '{{businessDate}}' } }),
  );
  // The calendar answers every day (weekdays open); bars answer every asked code on every asked business day.
  plane.dataSource.rowsFor = (params) => {
    if (params.code === undefined && params.date === undefined) {
      const rows: Record<string, unknown>[] = [];
      for (let day = String(params.from); day <= String(params.to); day = addDays(day, 1)) {
        rows.push({ date: day, holidayDivision: isWeekend(day) ? '0' : '1' });
      }
      return rows;
    }
    const dates = businessDays.filter(
      (day) => day >= String(params.from ?? params.date) && day <= String(params.to ?? params.date),
    );
    return dates.flatMap((date) =>
      codes.filter((code) => params.code === undefined || params.code === code).map((code) => aDailyBarRow(code, date)),
    );
  };
  plane.clock.advance(Date.parse(`${to}T12:00:00Z`) - plane.clock.now().getTime() + 86_400_000);
  const backfill = await plane.startBackfill('forty', { from, to });
  for (let round = 0; round < 1_000; round++) {
    const steps = await plane.stepBackfills();
    const waiting = plane.queue.messages.length;
    await plane.work();
    if (steps === 0 && waiting === 0) break;
  }
  const done = await plane.backfillStore.get(backfill.backfillId);
  const barRequests = plane.dataSource.calls.filter((call) => call.dataset === bars.id).length;
  return {
    businessDays: businessDays.length,
    'forty codes: backfill status': String(done?.status),
    'forty codes: mode': String(done?.plan?.mode),
    'forty codes: bar requests made': barRequests,
    'forty codes: all upstream requests (calendar included)': done?.progress.upstreamRequests ?? 0,
    'forty codes: runs recorded': done?.progress.done ?? 0,
    'forty codes: one request per code and date would take': codes.length * businessDays.length,
    'full market: mode': fullMarket.mode,
    'full market: requests planned (pages aside)': fullMarket.requests,
    'full market: one range request per code would take': 4_400,
  };
}
