import { describe, expect, it } from 'vitest';
import { childrenOf, isAlive, startSandboxProcess } from '#test/fixtures/processes.ts';

describe('npm start', () => {
  it('prints the admin URL, token and AWS endpoint, serves requests, and leaves no process behind on Ctrl-C', async () => {
    const sandbox = startSandboxProcess({ AWS_ENDPOINT_URL: undefined, PORT: '0', ADMIN_TOKEN: 'e2e-token' });
    const adminUrl = await sandbox.adminUrl();
    expect(sandbox.output()).toMatch(/^Admin API: http:\/\/127\.0\.0\.1:\d+$/m);
    expect(sandbox.output()).toMatch(/^Admin token: e2e-token$/m);
    expect(sandbox.output()).toMatch(/^AWS endpoint: http:\/\/127\.0\.0\.1:\d+$/m);

    const response = await fetch(`${adminUrl}/groups`, { headers: { authorization: 'Bearer e2e-token' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ groups: expect.any(Array), unreadable: [] });

    const pid = sandbox.child.pid ?? -1;
    const started = [pid, ...childrenOf(pid)];
    expect(started.length).toBeGreaterThan(1);
    sandbox.child.kill('SIGINT');
    expect(await sandbox.exited).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(started.filter(isAlive)).toEqual([]);
  });
});
