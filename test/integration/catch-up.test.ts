import { describe, expect, it } from 'vitest';
import { JobMessageSchema } from '#shared/messages/run-job-message.ts';
import { silentLog } from '#shared/observability/logger.ts';
import { recordMissedRuns } from '#shared/use-cases/record-missed-runs.ts';
import { RecordingStepRequests } from '#test/fakes/recording-step-requests.ts';
import { aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlaneOnMoto } from '#test/fixtures/moto-data-plane.ts';

// Friday 2026-11-27 18:00 JST: the 17:00, 17:15 and 17:30 ticks never arrived.
const runIds = ['fx.20261127T080000Z', 'fx.20261127T081500Z', 'fx.20261127T083000Z'];

describe('the reconciler catching up missed runs on moto', () => {
  it('dispatches the latest missed tick through the real queue, records the rest, and does it once', async () => {
    const plane = await aDataPlaneOnMoto();
    const { ports, clock } = plane;
    clock.set('2026-11-27T09:00:00.000Z');
    await ports.groupStore.create(
      aJobGroup({
        id: 'fx',
        schedule: '0,15,30 17 * * 1-5',
        catchUp: 'latest',
        parametersTemplate: { code: '72030', date: '{{businessDate}}' },
        updatedAt: '2026-11-26T00:00:00.000Z',
      }),
    );
    const watch = () =>
      recordMissedRuns({
        groupStore: ports.groupStore,
        runLedger: ports.runLedger,
        tradingCalendar: ports.tradingCalendar,
        steps: new RecordingStepRequests(),
        dispatch: plane.dispatch,
        clock,
        log: silentLog,
      });

    expect(await watch()).toEqual({
      missed: [runIds[0], runIds[1]],
      skipped: [],
      caughtUp: [runIds[2]],
    });
    expect(await ports.runLedger.getRun(runIds[2] ?? '')).toMatchObject({
      status: 'running',
      trigger: 'scheduled',
      counters: { total: 1 },
    });
    expect(await ports.runLedger.getRun(runIds[0] ?? '')).toMatchObject({ status: 'missed' });
    expect(await watch()).toEqual({ missed: [], skipped: [], caughtUp: [] });

    const sent = (await plane.receive(30)).map((message) => JobMessageSchema.parse(JSON.parse(message.Body ?? '')));
    expect(sent).toEqual([
      expect.objectContaining({ runId: runIds[2], params: { code: '72030', date: '2026-11-27' } }),
    ]);
  });
});
