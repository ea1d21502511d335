import './quiet.ts';
import { spawnSync } from 'node:child_process';
import { benchBackfillRequests } from './backfill-requests.bench.ts';
import { benchBundles } from './bundles.bench.ts';
import { benchCrashRecovery } from './crash-recovery.bench.ts';
import { benchDispatch } from './dispatch.bench.ts';
import { benchFreePlan } from './free-plan.bench.ts';
import { benchFullMarketDate } from './full-market-date.bench.ts';
import { benchRateUtilisation } from './rate-utilisation.bench.ts';
import { benchStartup } from './startup.bench.ts';
import { benchUpstreamRequests } from './upstream-requests.bench.ts';

/**
 * `npm run bench [name filter]`: measures and prints figures. Nothing here asserts; each line names its target.
 * Each benchmark starts and stops what it needs (moto, demo upstream, sandbox), in a process of its own: the
 * functions a sandbox loads keep their clients for the life of the process.
 */
const benches: { name: string; target: string; run: () => Promise<Record<string, number | string>> }[] = [
  { name: 'npm start', target: 'three lines in under 20 s; no process left after Ctrl-C', run: benchStartup },
  {
    name: 'full-market one-date daily bars',
    target: 'upstream requests = 1 + pages, versus one per code',
    run: benchUpstreamRequests,
  },
  {
    name: 'full-market date of 4,400 codes in the sandbox',
    target:
      'DynamoDB write calls ≤ ⌈rows/25⌉ + 25 from claim to finish; ≤ 60 s from run-now to finished; every code listed by GET /runs/{id}/jobs',
    run: benchFullMarketDate,
  },
  {
    name: 'backfill requests over two years',
    target: '40 codes: 40 range requests (not one per code and date); full market: one date-wide request per date',
    run: benchBackfillRequests,
  },
  {
    name: 'dispatch 4,400 per-code range jobs against moto',
    target: 'SendMessageBatch calls = 440',
    run: benchDispatch,
  },
  {
    name: 'rate utilisation and throttle safety',
    target: 'utilisation ≥ 0.95 with 0 upstream 429s; 0 jobs dead-lettered without a real error',
    run: benchRateUtilisation,
  },
  {
    name: 'free plan, a date of 4 pages',
    target: '4 requests, about 3 × 12.4 s from the first to the last, no 429',
    run: () => benchFreePlan(4),
  },
  {
    name: 'free plan, a date of 8 pages',
    target: '8 requests, about 7 × 12.4 s from the first to the last, no 429',
    run: () => benchFreePlan(8),
  },
  {
    name: 'crash recovery with the deployed timeouts',
    target: 'every job running at a kill -9 runs again within 3 minutes (the visibility timeout, 150 s)',
    run: benchCrashRecovery,
  },
  {
    name: 'bundles',
    target:
      'only what each function uses (Yahoo library only in fetch-yahoo-job); each bundle ≤ 1 MB; cold import ≤ 1.5× the floor',
    run: benchBundles,
  },
];

const [flag, exact] = process.argv.slice(2);
if (flag === '--one') {
  const bench = benches.find((entry) => entry.name === exact);
  if (bench === undefined) throw new Error(`no benchmark named '${exact}'`);
  const figures = await bench.run();
  console.log(`${bench.name} (target: ${bench.target})`);
  for (const [name, value] of Object.entries(figures)) console.log(`  ${name}: ${value}`);
} else {
  for (const bench of benches.filter((entry) => flag === undefined || entry.name.includes(flag))) {
    spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--one', bench.name], { stdio: 'inherit' });
  }
}
process.exit(0);
