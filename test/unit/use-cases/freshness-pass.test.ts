import { describe, expect, it } from 'vitest';
import { silentLog } from '#shared/observability/logger.ts';
import { freshnessPass } from '#shared/use-cases/alerts.ts';
import { aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlane } from '#test/fixtures/data-plane-harness.ts';

describe("the reconciler's freshness pass", () => {
  it('names the late groups and says when the stored JPX calendar runs short, logging each', async () => {
    const plane = aDataPlane();
    // Friday 2026-11-27 19:00 Tokyo: past 18:00 with no run of the day.
    plane.clock.set('2026-11-27T10:00:00.000Z');
    await plane.groupStore.create(aJobGroup({ id: 'late', calendar: 'none', expectBy: '18:00' }));
    await plane.groupStore.create(aJobGroup({ id: 'on-time', calendar: 'none', expectBy: '20:00' }));
    const warnings: string[] = [];
    const log = { ...silentLog, warn: (message: string) => warnings.push(message) };
    // Both are J-Quants groups; `calendar: none` keeps them off the JPX calendar, so nothing needs it yet.
    expect(await freshnessPass({ ...plane, log })).toEqual({ late: ['late'], calendarCoverageShort: false });
    expect(warnings).toEqual(['group late']);

    await plane.groupStore.create(aJobGroup({ id: 'follows-jpx' }));
    expect(await freshnessPass({ ...plane, log })).toEqual({ late: ['late'], calendarCoverageShort: true });
  });
});
