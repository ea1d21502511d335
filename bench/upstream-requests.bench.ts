import { adminCall, startBenchSandbox, waitForRun } from './admin-call.ts';

/**
 * Upstream requests of a full-market, one-date daily-bars run over the demo's listed codes: request planning makes
 * it one date-wide request plus its pages, where a naive client makes one request per code.
 */
export async function benchUpstreamRequests(): Promise<Record<string, number | string>> {
  const sandbox = await startBenchSandbox({ listedCodeCount: 1000, pageSize: 300, requestsPerMinute: 0 });
  try {
    const codes = sandbox.demoUpstream?.codes ?? [];
    const call = adminCall(sandbox);
    await call('POST', '/groups', {
      id: 'full-market',
      name: 'Full market',
      dataSource: 'jquants',
      dataset: 'jquants.equities.bars.daily',
      schedule: '0 18 * * 1-5',
      parametersTemplate: { code: { $each: codes }, date: '2026-11-26' },
    });
    sandbox.demoUpstream?.resetRequests();
    const started = performance.now();
    const run = await call('POST', '/groups/full-market/runs', {});
    const current = await waitForRun(call, String(run.runId));
    const seconds = (performance.now() - started) / 1000;
    return {
      codes: codes.length,
      pageSize: 300,
      runStatus: String(current.status),
      upstreamRequests: Number(current.upstreamRequests),
      requestsSeenByUpstream: sandbox.demoUpstream?.requests.length ?? 0,
      naiveRequests: codes.length,
      runSeconds: Number(seconds.toFixed(1)),
    };
  } finally {
    await sandbox.stop();
  }
}
