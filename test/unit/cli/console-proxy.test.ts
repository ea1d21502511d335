import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenAuthorizer } from '#cli/auth.ts';
import { type ConsoleProxy, startConsoleProxy } from '#cli/console-proxy.ts';
import { startFakeAdminApi } from '#test/fixtures/cli-harness.ts';

let proxy: ConsoleProxy | undefined;
let api: Awaited<ReturnType<typeof startFakeAdminApi>> | undefined;

afterEach(async () => {
  await proxy?.close();
  await api?.close();
  proxy = undefined;
  api = undefined;
});

/** A proxy in front of a fake admin API that answers every GET /groups, authorising with a bearer token. */
async function aProxy(): Promise<ConsoleProxy> {
  api = await startFakeAdminApi((request) =>
    request.path === '/groups' ? { status: 200, body: { groups: [] }, headers: { 'set-cookie': 'api=1' } } : undefined,
  );
  proxy = await startConsoleProxy({ target: new URL(api.url), authorizer: tokenAuthorizer('api-token'), port: 0 });
  return proxy;
}

async function logIn(target: ConsoleProxy): Promise<Response> {
  const secret = new URL(target.loginUrl).hash.replace('#token=', '');
  return fetch(`${target.url}/console/session`, { method: 'POST', headers: { authorization: `Bearer ${secret}` } });
}

describe('moomoo console: the signing proxy', () => {
  it('trades its login secret once for a session, and signs the session calls it forwards', async () => {
    const target = await aProxy();
    const login = await logIn(target);
    expect(login.status).toBe(204);
    const session = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect((await logIn(target)).status).toBe(401);

    const answer = await fetch(`${target.url}/groups`, { headers: { cookie: session, 'x-moomoo-console': '1' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('set-cookie')).toBeNull();
    const forwarded = api?.requests.at(-1);
    expect(forwarded?.headers.authorization).toBe('Bearer api-token');
    expect(forwarded?.headers.cookie).toBeUndefined();
    expect(forwarded?.headers['x-moomoo-console']).toBeUndefined();

    expect((await fetch(`${target.url}/groups`, { headers: { cookie: session } })).status).toBe(401);
    expect((await fetch(`${target.url}/groups`, { headers: { 'x-moomoo-console': '1' } })).status).toBe(401);
  });

  it('forwards a path that looks like another host to its own admin URL, never elsewhere', async () => {
    const target = await aProxy();
    const session = ((await logIn(target)).headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const before = api?.requests.length ?? 0;
    const answer = await fetch(`${target.url}/.//evil.example/groups`, {
      headers: { cookie: session, 'x-moomoo-console': '1' },
    });
    // It reached the admin API (which answers its own GET /groups), signed for it and for nothing else.
    expect(answer.status).toBe(200);
    expect(api?.requests.length).toBe(before + 1);
    expect(api?.requests.at(-1)?.headers.authorization).toBe('Bearer api-token');
  });

  it('answers only to its own Host, so a rebound name cannot reach it', async () => {
    const target = await aProxy();
    const { port } = new URL(target.url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const outgoing = httpRequest(
        { host: '127.0.0.1', port, path: '/', headers: { host: `attacker.example:${port}` } },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
    expect(status).toBe(421);
    expect(api?.requests).toEqual([]);
  });
});
