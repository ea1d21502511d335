import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestAuthorizer } from '#cli/auth.ts';
import { isConsolePath } from '#shared/admin-api/console-routes.ts';
import {
  consoleRequestHeader,
  consoleSessionPath,
  consoleUrlOf,
  expiredSessionCookieHeader,
  sessionCookieHeader,
  sessionCookieOf,
} from '#shared/admin-api/console-session.ts';

/** A running console proxy. */
export interface ConsoleProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The one-time login URL: the proxy's origin with the login secret in the fragment. */
  readonly loginUrl: string;
  close(): Promise<void>;
}

/** Request headers passed on to the admin API; everything else (cookies, origin, host) stays here. */
const forwardedRequestHeaders = ['accept', 'content-type', 'if-match'];

/** Response headers passed back to the browser; the admin API's others (and any cookie) are dropped. */
const forwardedResponseHeaders = [
  'cache-control',
  'content-security-policy',
  'content-type',
  'etag',
  'location',
  'referrer-policy',
  'x-content-type-options',
  'x-frame-options',
];

/** Function URLs take at most 6 MB; the admin API itself refuses bodies over 1 MB. */
const maxBodyBytes = 6 * 1024 * 1024;

/**
 * The web console of a deployed admin API on this machine: serves the API's own page and assets on 127.0.0.1 and
 * forwards the page's API calls, each signed by `authorizer` (SigV4 with the user's AWS credentials), so the browser
 * holds no credentials and the Function URL stays IAM-only.
 *
 * Only the browser that opens the one-time login URL can drive it: the login secret (in the URL's fragment, never
 * sent anywhere) is traded once for an HttpOnly, SameSite=Strict session cookie, and every API call must carry that
 * cookie and the console's header, which no other site's page can add. Requests naming another Host are refused,
 * so a DNS-rebound name cannot reach it either. The page and its assets hold no data and are forwarded to anyone.
 */
export async function startConsoleProxy(options: {
  target: URL;
  authorizer: RequestAuthorizer;
  /** 0 picks a free port. */
  port: number;
  fetch?: typeof fetch;
}): Promise<ConsoleProxy> {
  const loginSecret = randomBytes(24).toString('base64url');
  let loginUsed = false;
  const sessions = new Set<string>();
  const send = options.fetch ?? fetch;
  let origin = '';

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const host = request.headers.host ?? '';
    if (`http://${host}` !== origin && `http://${host}` !== origin.replace('127.0.0.1', 'localhost')) {
      reply(response, 421, 'misdirected_request', `this console answers only at ${origin}`);
      request.resume();
      return;
    }
    const url = new URL(request.url ?? '/', origin);
    const method = request.method ?? 'GET';
    if (url.pathname === consoleSessionPath) {
      request.resume();
      if (method === 'DELETE') {
        const session = sessionCookieOf(request.headers.cookie, request.socket.localPort);
        if (session !== undefined) sessions.delete(session);
        response.writeHead(204, {
          'set-cookie': expiredSessionCookieHeader(request.socket.localPort),
          'cache-control': 'no-store',
        });
        response.end();
      } else if (method !== 'POST') {
        reply(response, 405, 'method_not_allowed', 'use POST or DELETE');
      } else if (loginUsed || !sameSecret(request.headers.authorization, `Bearer ${loginSecret}`)) {
        reply(
          response,
          401,
          'unauthorized',
          'this login link is not valid or was used already: run moomoo console again for a new one',
        );
      } else {
        loginUsed = true;
        const session = randomBytes(32).toString('base64url');
        sessions.add(session);
        response.writeHead(204, {
          'set-cookie': sessionCookieHeader(session, request.socket.localPort),
          'cache-control': 'no-store',
        });
        response.end();
      }
      return;
    }
    if (!isConsolePath(method, url.pathname) && !hasSession(request, sessions)) {
      reply(response, 401, 'unauthorized', 'open the login URL that moomoo console printed, in this browser');
      request.resume();
      return;
    }
    const body = await readBody(request);
    if (body === undefined) {
      reply(response, 413, 'payload_too_large', 'the request is larger than 6 MB');
      return;
    }
    await forward(method, url, request, body, response);
  };

  const forward = async (
    method: string,
    url: URL,
    request: IncomingMessage,
    body: string,
    response: ServerResponse,
  ): Promise<void> => {
    // The path is appended to the target's origin, never resolved against it: `//other.host/x` stays a path.
    const target = new URL(`${options.target.origin}${url.pathname}${url.search}`);
    const headers: Record<string, string> = {};
    for (const name of forwardedRequestHeaders) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const withBody = body !== '' && method !== 'GET';
    const signed = await options.authorizer.authorize({
      method,
      url: target,
      headers,
      ...(withBody ? { body } : {}),
    });
    let answer: Response;
    try {
      answer = await send(target, { method, headers: signed, ...(withBody ? { body } : {}), redirect: 'manual' });
    } catch (error) {
      reply(response, 502, 'bad_gateway', `the admin API at ${options.target.origin} did not answer: ${String(error)}`);
      return;
    }
    const passed: Record<string, string> = {};
    for (const name of forwardedResponseHeaders) {
      const value = answer.headers.get(name);
      if (value !== null) passed[name] = value;
    }
    response.writeHead(answer.status, passed);
    response.end(Buffer.from(await answer.arrayBuffer()));
  };

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      reply(response, 502, 'bad_gateway', `the console proxy failed: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    loginUrl: consoleUrlOf(origin, loginSecret),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function hasSession(request: IncomingMessage, sessions: ReadonlySet<string>): boolean {
  const header = request.headers[consoleRequestHeader];
  const session = sessionCookieOf(request.headers.cookie, request.socket.localPort);
  return typeof header === 'string' && header !== '' && session !== undefined && sessions.has(session);
}

function sameSecret(presented: string | undefined, expected: string): boolean {
  const given = Buffer.from(presented ?? '');
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reply(response: ServerResponse, status: number, code: string, message: string): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify({ error: { code, message } }));
}
