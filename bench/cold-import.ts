import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** Cold imports of some bundles measured in the same rounds. */
export interface ColdImports {
  /** Median cold import time of each bundle, in the order given. */
  readonly medianMs: number[];
  /** Median over rounds of bundle `index`'s time divided by bundle `of`'s in the same round. */
  ratio(index: number, of: number): number;
}

/**
 * Cold imports of each bundle over `rounds` rounds, each round importing every bundle once, in turn, so that a bundle
 * and its floor see the same machine load; the order alternates between rounds so that neither always goes first.
 * Ratios are taken within a round, then their median, which a shared machine's drift between rounds does not move.
 * A cold import is a fresh `node` process timing `await import(bundle)` until it settles: module-scope work included
 * (config parsing, SDK clients), process start-up excluded. `env` is the whole environment of each process, so
 * nothing of the caller's (an emulator endpoint, an API key) leaks in.
 */
export async function measureColdImports(
  files: readonly string[],
  env: Readonly<Record<string, string>>,
  rounds: number,
): Promise<ColdImports> {
  const times = files.map((): number[] => []);
  for (let round = 0; round < rounds; round += 1) {
    const order = [...files.keys()];
    if (round % 2 === 1) order.reverse();
    for (const index of order) times[index]?.push(await coldImportMs(files[index] ?? '', env));
  }
  return {
    medianMs: times.map(median),
    ratio: (index, of) => median((times[index] ?? []).map((ms, round) => ms / (times[of]?.[round] ?? Number.NaN))),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function coldImportMs(file: string, env: Readonly<Record<string, string>>): Promise<number> {
  const script = [
    'const started = performance.now();',
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'console.log(performance.now() - started);',
  ].join(' ');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const milliseconds = Number(stdout.trim().split('\n').at(-1));
  if (code !== 0 || !Number.isFinite(milliseconds)) {
    throw new Error(`importing ${file} failed (exit ${code}): ${stderr.trim() || stdout.trim()}`);
  }
  return milliseconds;
}
