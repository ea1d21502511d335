import { startSandbox } from '#infra/local/sandbox.ts';
import { adminCall, waitForRun } from './admin-call.ts';

/**
 * The plan most users start with: J-Quants Free, 5 requests a minute, enforced by the demo upstream (429 past it).
 * A date-wide fetch of daily bars whose answer takes `pages` pages (10 rows a page): the run should take that many
 * requests, 12.4 s apart, so about (pages − 1) × 12.4 s from its first request to its last, and never a 429.
 */
export async function benchFreePlan(pages: number): Promise<Record<string, number | string>> {
  const sandbox = await startSandbox({
    port: 0,
    autoTick: false,
    demo: true,
    demoOptions: { pageSize: 10, listedCodeCount: pages * 10, requestsPerMinute: 5 },
    seedDemoGroups: false,
    reconcileIntervalMs: 3_600_000,
    print: () => {},
  });
  try {
    const call = adminCall(sandbox);
    const settings = (await call('GET', '/data-sources')) as { dataSources: { id: string; version: number }[] };
    const version = settings.dataSources.find((source) => source.id === 'jquants')?.version ?? 0;
    await call('PATCH', '/data-sources/jquants', { plan: 'free', version });
    const codes = (sandbox.demoUpstream?.codes ?? []).slice(0, 2);
    await call('POST', '/groups', {
      id: 'two-codes',
      name: 'Two codes',
      dataSource: 'jquants',
      dataset: 'jquants.equities.bars.daily',
      schedule: '0 18 * * 1-5',
      parametersTemplate: { code: { $each: codes }, date: '{{previousBusinessDay}}' },
    });
    sandbox.demoUpstream?.resetRequests();
    const started = performance.now();
    const run = await call('POST', '/groups/two-codes/runs', {});
    const finished = await waitForRun(call, String(run.runId), 200);
    const seconds = (performance.now() - started) / 1000;
    const requests = sandbox.demoUpstream?.requests ?? [];
    const times = requests.map((entry) => entry.at);
    return {
      pages,
      runStatus: String(finished.status),
      upstreamRequests: Number(finished.upstreamRequests),
      upstream429s: requests.filter((entry) => entry.status === 429).length,
      secondsFirstToLastRequest: Number(((Math.max(...times) - Math.min(...times)) / 1000).toFixed(1)),
      secondsRunNowToFinished: Number(seconds.toFixed(1)),
      deferrals: Number(finished.deferrals),
    };
  } finally {
    await sandbox.stop();
  }
}
