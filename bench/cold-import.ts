import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * The median cold import time of each bundle over `runs` rounds, each round importing every bundle once in turn, so
 * that a bundle and its floor see the same machine load. A cold import is a fresh `node` process timing
 * `await import(bundle)` until it settles: module-scope work included (config parsing, SDK clients), process
 * start-up excluded. `env` is the whole environment of each process, so nothing of the caller's (an emulator
 * endpoint, an API key) leaks in.
 */
export async function medianColdImportMs(
  files: readonly string[],
  env: Readonly<Record<string, string>>,
  runs = 5,
): Promise<number[]> {
  const times = files.map((): number[] => []);
  for (let run = 0; run < runs; run += 1) {
    for (const [index, file] of files.entries()) times[index]?.push(await coldImportMs(file, env));
  }
  return times.map(median);
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
