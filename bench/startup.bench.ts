import { spawn } from 'node:child_process';

/** `npm start` from launch until it has printed its three lines (target: under 20 s), and Ctrl-C until exit. */
export async function benchStartup(): Promise<Record<string, number | string>> {
  const { AWS_ENDPOINT_URL: _endpoint, ...environment } = process.env;
  const started = performance.now();
  const child = spawn(process.execPath, ['infra/local/start.ts'], {
    env: { ...environment, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const ready = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/AWS endpoint: /.test(output)) resolve();
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await ready;
  const readySeconds = (performance.now() - started) / 1000;
  // Let the demo runs finish, as a newcomer would watch them.
  const demoDeadline = Date.now() + 60_000;
  while (Date.now() < demoDeadline && (output.match(/: succeeded;/g) ?? []).length < 5) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const demoSeconds = (performance.now() - started) / 1000;
  const stopping = performance.now();
  child.kill('SIGINT');
  const code = await exited;
  return {
    secondsToThreeLines: Number(readySeconds.toFixed(1)),
    secondsUntilFiveDemoRunsSucceeded: Number(demoSeconds.toFixed(1)),
    demoRunsSucceeded: (output.match(/: succeeded;/g) ?? []).length,
    secondsToStopAfterCtrlC: Number(((performance.now() - stopping) / 1000).toFixed(1)),
    exitCode: String(code),
  };
}
