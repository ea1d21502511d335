import { benchDispatch } from './dispatch.bench.ts';

/**
 * `npm run bench`: measures and prints figures. Nothing here asserts; the targets are in each line for reading.
 * Each benchmark starts and stops what it needs (moto, demo upstream, sandbox).
 */
const benches: { name: string; target: string; run: () => Promise<Record<string, number | string>> }[] = [
  {
    name: 'dispatch 4,400 per-code range jobs against moto',
    target: 'sendMessageBatchCalls = 440',
    run: benchDispatch,
  },
];

const only = process.argv[2];
for (const bench of benches.filter((entry) => only === undefined || entry.name.includes(only))) {
  const figures = await bench.run();
  console.log(`${bench.name} (target: ${bench.target})`);
  for (const [name, value] of Object.entries(figures)) console.log(`  ${name}: ${value}`);
}
