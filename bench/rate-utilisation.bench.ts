import { adminCall, setJquantsSettings, startBenchSandbox, waitForRun } from './admin-call.ts';

/**
 * Rate utilisation and throttle safety: the demo upstream enforces a strict sliding window of 120 requests a minute
 * (answering 429 past it), the J-Quants data source is set to the same limit, and a per-code range group — which
 * request planning cannot collapse — runs with the worker at its reserved concurrency (4 pollers). Prints requests
 * per window over the steady part against the limit (target ≥ 0.95), the 429s (target 0), and jobs that reached
 * a dead-letter queue without a real error (target 0).
 */
export async function benchRateUtilisation(): Promise<Record<string, number | string>> {
  const limit = 120;
  const jobs = 300;
  const sandbox = await startBenchSandbox({ requestsPerMinute: limit, listedCodeCount: jobs });
  try {
    const call = adminCall(sandbox);
    await setJquantsSettings(call, { rateLimit: { limit, per: 'minute' } });
    await call('POST', '/groups', {
      id: 'ranges',
      name: 'Per-code ranges',
      dataSource: 'jquants',
      dataset: 'jquants.equities.bars.daily',
      schedule: '0 18 * * 1-5',
      parametersTemplate: { code: { $each: sandbox.demoUpstream?.codes ?? [] }, from: '2026-11-02', to: '2026-11-27' },
    });
    sandbox.demoUpstream?.resetRequests();
    const run = await call('POST', '/groups/ranges/runs', {});
    const current = await waitForRun(call, String(run.runId));
    const requests = (sandbox.demoUpstream?.requests ?? []).filter((entry) => entry.path.includes('/equities/'));
    const times = requests.map((entry) => entry.at).sort((a, b) => a - b);
    const first = times[0] ?? 0;
    const last = times.at(-1) ?? 0;
    // Steady part: whole 60 s windows from the first request to the last, leaving out the final partial window.
    const windows: number[] = [];
    for (let start = first; start + 60_000 <= last; start += 10_000) {
      windows.push(times.filter((at) => at >= start && at < start + 60_000).length);
    }
    const average = windows.reduce((sum, count) => sum + count, 0) / Math.max(1, windows.length);
    const letters = (await call('GET', '/dead-letters')) as { deadLetters?: unknown[] };
    return {
      limitPerMinute: limit,
      jobs,
      runStatus: String(current.status),
      upstreamRequests: requests.length,
      durationSeconds: Number(((last - first) / 1000).toFixed(1)),
      steadyWindows: windows.length,
      requestsPerWindowAverage: Number(average.toFixed(1)),
      busiestWindow: Math.max(0, ...windows),
      utilisation: Number((average / limit).toFixed(3)),
      upstream429s: requests.filter((entry) => entry.status === 429).length,
      deadLetteredWithoutRealError: letters.deadLetters?.length ?? 0,
    };
  } finally {
    await sandbox.stop();
  }
}
