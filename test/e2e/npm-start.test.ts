import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Process ids whose parent is `pid` (from /proc, so no extra tool is needed). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('prints the admin URL, token and AWS endpoint, serves requests, and leaves no process behind on Ctrl-C', async () => {
    const { AWS_ENDPOINT_URL: _endpoint, ...environment } = process.env;
    const child = spawn(process.execPath, ['infra/local/start.ts'], {
      env: { ...environment, PORT: '0', ADMIN_TOKEN: 'e2e-token' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + 60_000;
    while (!/AWS endpoint: \S+/.test(output) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toMatch(/^Admin API: http:\/\/127\.0\.0\.1:\d+$/m);
    expect(output).toMatch(/^Admin token: e2e-token$/m);
    expect(output).toMatch(/^AWS endpoint: http:\/\/127\.0\.0\.1:\d+$/m);

    const adminUrl = /^Admin API: (\S+)$/m.exec(output)?.[1] ?? '';
    const response = await fetch(`${adminUrl}/groups`, { headers: { authorization: 'Bearer e2e-token' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ groups: expect.any(Array), unreadable: [] });

    const started = [child.pid ?? -1, ...childrenOf(child.pid ?? -1)];
    expect(started.length).toBeGreaterThan(1);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(started.filter(isAlive)).toEqual([]);
  });
});
