import { afterEach, describe, expect, it } from 'vitest';
import { type FunctionUrlServer, startFunctionUrlServer } from '#infra/local/function-url-server.ts';

let server: FunctionUrlServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The sandbox's Function URL with the bearer token, over a handler that answers every request it is given. */
async function aSandboxUrl(): Promise<FunctionUrlServer> {
  server = await startFunctionUrlServer({
    auth: { kind: 'token', token: 'the-token' },
    port: 0,
    handler: async (event) => ({ statusCode: 200, body: JSON.stringify({ path: event.rawPath }) }),
  });
  return server;
}

/** The session cookie the console gets for the token. */
async function sessionOf(target: FunctionUrlServer): Promise<string> {
  const response = await fetch(`${target.url}/console/session`, {
    method: 'POST',
    headers: { authorization: 'Bearer the-token' },
  });
  expect(response.status).toBe(204);
  const cookie = response.headers.get('set-cookie') ?? '';
  // Named after the server's port: cookies ignore ports, and each local console signs in on its own.
  expect(cookie).toMatch(
    new RegExp(`^moomoo_console_${new URL(target.url).port}=[A-Za-z0-9_-]+; Path=/; HttpOnly; SameSite=Strict$`),
  );
  return cookie.split(';')[0] ?? '';
}

describe('the sandbox Function URL: console sessions', () => {
  it('serves the console page and assets without credentials, and nothing else', async () => {
    const target = await aSandboxUrl();
    expect((await fetch(`${target.url}/`)).status).toBe(200);
    expect((await fetch(`${target.url}/assets/main-3FQ2.js`)).status).toBe(200);
    expect((await fetch(`${target.url}/groups`)).status).toBe(401);
    expect((await fetch(`${target.url}/`, { method: 'POST' })).status).toBe(401);
  });

  it('trades the token for a cookie that authorises only with the console header beside it', async () => {
    const target = await aSandboxUrl();
    const session = await sessionOf(target);
    expect(session).not.toContain('the-token');
    const statusOf = async (headers: Record<string, string>) =>
      (await fetch(`${target.url}/groups`, { headers })).status;
    expect(await statusOf({ cookie: session })).toBe(401);
    expect(await statusOf({ 'x-moomoo-console': '1' })).toBe(401);
    expect(await statusOf({ cookie: session, 'x-moomoo-console': '1' })).toBe(200);
    const port = new URL(target.url).port;
    expect(await statusOf({ cookie: `moomoo_console_${port}=forged`, 'x-moomoo-console': '1' })).toBe(401);
    // Another local server's cookie of the same value is not this one's.
    const value = session.split('=')[1] ?? '';
    expect(await statusOf({ cookie: `moomoo_console_1=${value}`, 'x-moomoo-console': '1' })).toBe(401);
  });

  it('refuses a session for a wrong token and removes the cookie on DELETE', async () => {
    const target = await aSandboxUrl();
    const wrong = await fetch(`${target.url}/console/session`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const out = await fetch(`${target.url}/console/session`, { method: 'DELETE' });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(
      new RegExp(`^moomoo_console_${new URL(target.url).port}=; .*Max-Age=0$`),
    );
  });
});
