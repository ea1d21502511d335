import { adminCall, runDailyBars, setJquantsSettings, startBenchSandbox } from './admin-call.ts';

/**
 * The plan most users start with: J-Quants Free, 5 requests a minute, enforced by the demo upstream (429 past it).
 * A date-wide fetch of daily bars whose answer takes `pages` pages (10 rows a page): the run should take that many
 * requests, 12.4 s apart, so about (pages − 1) × 12.4 s from its first request to its last, and never a 429.
 */
export async function benchFreePlan(pages: number): Promise<Record<string, number | string>> {
  const sandbox = await startBenchSandbox({ pageSize: 10, listedCodeCount: pages * 10, requestsPerMinute: 5 });
  try {
    const call = adminCall(sandbox);
    await setJquantsSettings(call, { plan: 'free' });
    const codes = (sandbox.demoUpstream?.codes ?? []).slice(0, 2);
    sandbox.demoUpstream?.resetRequests();
    // A Free key is served dates from 2 years back to 12 weeks ago: the run is for a date 100 days back.
    const { run, seconds } = await runDailyBars(
      call,
      'two-codes',
      { code: { $each: codes }, date: '{{previousBusinessDay}}' },
      { businessDate: weekdayDaysAgo(100) },
    );
    const requests = sandbox.demoUpstream?.requests ?? [];
    const times = requests.map((entry) => entry.at);
    return {
      pages,
      runStatus: String(run.status),
      upstreamRequests: Number(run.upstreamRequests),
      upstream429s: requests.filter((entry) => entry.status === 429).length,
      secondsFirstToLastRequest: Number(((Math.max(...times) - Math.min(...times)) / 1000).toFixed(1)),
      secondsRunNowToFinished: Number(seconds.toFixed(1)),
      deferrals: Number(run.deferrals),
    };
  } finally {
    await sandbox.stop();
  }
}

/** The weekday on or before the date `days` days ago (UTC), `YYYY-MM-DD`. */
function weekdayDaysAgo(days: number): string {
  const date = new Date(Date.now() - days * 86_400_000);
  while (date.getUTCDay() === 0 || date.getUTCDay() === 6) date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}
