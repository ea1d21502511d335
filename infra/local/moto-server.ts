import { type ChildProcess, spawn } from 'node:child_process';

/** A running moto server that this process started and must stop. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`: every AWS service answers here. */
  readonly endpoint: string;
  /** Process id of the server, for stopping it and nothing else. */
  readonly pid: number;
  /** Wipes every service's state (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options for starting moto. */
export interface StartMotoOptions {
  /** Python interpreter that has moto installed. @default 'python3' */
  readonly python?: string;
  /** How long to wait for the server to answer. @default 20_000 */
  readonly readyTimeoutMs?: number;
}

const listeningLine = /Running on (http:\/\/127\.0\.0\.1:\d+)/;

/** Moto comes with the machine image and PyPI is out of reach, so a missing moto is a setup error, never installed. */
export class MotoUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MotoUnavailableError';
  }
}

/**
 * Starts `python3 -m moto.server` on a free loopback port and resolves once it answers `GET /moto-api/`.
 * The port is read from the server's own "Running on" line (stderr or stdout), so no port is ever guessed.
 */
export async function startMotoServer(options: StartMotoOptions = {}): Promise<MotoServer> {
  const python = options.python ?? 'python3';
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MOTO_ACCOUNT_ID: process.env.MOTO_ACCOUNT_ID ?? '123456789012' },
  });
  const pid = child.pid;
  if (pid === undefined) throw new MotoUnavailableError(`could not start '${python} -m moto.server'`);

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const endpoint = await waitForListeningLine(child, readyTimeoutMs);
    await waitUntilAnswering(endpoint, readyTimeoutMs);
    return {
      endpoint,
      pid,
      reset: () => resetMoto(endpoint),
      stop: () => stopProcess(child, exited),
    };
  } catch (error) {
    await stopProcess(child, exited);
    throw error;
  }
}

/** Wipes all state of the moto server at `endpoint`. */
export async function resetMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset failed with HTTP ${response.status}`);
}

function waitForListeningLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      reject(new MotoUnavailableError(`moto server did not start within ${timeoutMs} ms:\n${output.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = listeningLine.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        // Keep draining so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new MotoUnavailableError(`could not run moto: ${error.message}`, { cause: error }));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      const hint = /No module named/.test(output)
        ? ' (python3 has no moto: it must come with the machine, e.g. `python3 -c "import moto"`)'
        : '';
      reject(new MotoUnavailableError(`moto server exited with code ${code}${hint}:\n${output.slice(-2000)}`));
    });
  });
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new MotoUnavailableError(`moto at ${endpoint} never answered /moto-api/`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(killTimer);
}
