import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { isConsolePath } from '#shared/admin-api/console-routes.ts';
import {
  consoleRequestHeader,
  consoleSessionPath,
  expiredSessionCookieHeader,
  sessionCookieHeader,
  sessionCookieOf,
} from '#shared/admin-api/console-session.ts';

/** A handler of Function URL events (payload format 2.0). */
export type FunctionUrlHandler = (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;

/** Function URLs refuse request payloads over 6 MB. */
const maxPayloadBytes = 6 * 1024 * 1024;

/** AWS credentials the local Function URL accepts signatures of. */
export interface AcceptedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * How the local Function URL authenticates: `Authorization: Bearer <token>` standing in for IAM, or IAM itself —
 * SigV4 signatures (service `lambda`, this region) made with the accepted credentials, as a Function URL with
 * `AuthType: AWS_IAM` checks them. With the token, the console's page and assets are public (they hold no data),
 * and the console's session cookie together with its header stands for the token (`console-session.ts`).
 */
export type FunctionUrlAuth =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'iam'; readonly credentials: AcceptedCredentials; readonly region: string };

/** What a request of this process needs to call the server. */
export interface LocalRequest {
  readonly method: string;
  /** Path and query, e.g. `/groups?limit=1`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A running local Function URL. */
export interface FunctionUrlServer {
  readonly url: string;
  /** The request's headers with its authentication added: the bearer token, or a SigV4 signature. */
  authorize(request: LocalRequest): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** How far a signature's date may be from the server's clock, as AWS allows. */
const maxClockSkewMs = 5 * 60_000;

/** Function URLs are signed for the `lambda` service. */
const signingService = 'lambda';

/**
 * Serves a Function URL locally: each HTTP request becomes a payload-2.0 event for the handler, and the handler's
 * result becomes the response. A request that fails authentication never reaches the handler: 401 without
 * credentials, 403 with wrong ones, as a Function URL answers.
 */
export async function startFunctionUrlServer(options: {
  handler: FunctionUrlHandler;
  auth: FunctionUrlAuth;
  port: number;
  host?: string;
  /** The clock signature dates are checked against. @default the wall clock */
  now?: () => Date;
}): Promise<FunctionUrlServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((request, response) => {
    serve(request, response, options).catch((error: unknown) => {
      reply(response, 502, { error: { code: 'bad_gateway', message: `the function failed: ${String(error)}` } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return {
    url,
    authorize: (request) => authorizeLocal(request, url, options.auth),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  options: { handler: FunctionUrlHandler; auth: FunctionUrlAuth; now?: () => Date },
): Promise<void> {
  if (options.auth.kind === 'token') {
    const path = new URL(request.url ?? '/', 'http://local').pathname;
    if (path === consoleSessionPath) {
      answerConsoleSession(request, response, options.auth.token);
      return;
    }
    if (!isConsolePath(request.method ?? 'GET', path) && !isAuthorised(request, options.auth.token)) {
      reply(response, 401, {
        error: {
          code: 'unauthorized',
          message: 'send Authorization: Bearer <admin token>, or open the Console: URL that npm start prints',
        },
      });
      request.resume();
      return;
    }
  }
  const body = await readBody(request);
  if (body === undefined) {
    reply(response, 413, { error: { code: 'payload_too_large', message: 'the request is larger than 6 MB' } });
    return;
  }
  if (options.auth.kind === 'iam') {
    const denial = await verifySignature(request, body, options.auth, options.now?.() ?? new Date());
    if (denial !== undefined) {
      reply(response, denial.status, { error: { code: denial.code, message: denial.message } });
      return;
    }
  }
  const result = await options.handler(toEvent(request, body));
  if (typeof result === 'string') {
    reply(response, 200, result);
    return;
  }
  response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string> | undefined);
  response.end(
    result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
  );
}

/** The bearer token, or the console's session cookie with the console's header beside it. */
function isAuthorised(request: IncomingMessage, token: string): boolean {
  if (equalSecrets(request.headers.authorization, `Bearer ${token}`)) return true;
  return (
    (headerValue(request, consoleRequestHeader) ?? '') !== '' &&
    equalSecrets(sessionCookieOf(request.headers.cookie, request.socket.localPort), consoleSessionOf(token))
  );
}

function equalSecrets(presented: string | undefined, expected: string): boolean {
  const given = Buffer.from(presented ?? '');
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** The session cookie's value for a token: derived from it, so a restarted sandbox with the same token keeps it. */
function consoleSessionOf(token: string): string {
  return createHmac('sha256', token).update('moomoo console session').digest('base64url');
}

/** `POST /console/session` with the bearer token sets the session cookie; `DELETE` removes it. */
function answerConsoleSession(request: IncomingMessage, response: ServerResponse, token: string): void {
  request.resume();
  if (request.method === 'DELETE') {
    response.writeHead(204, {
      'set-cookie': expiredSessionCookieHeader(request.socket.localPort),
      'cache-control': 'no-store',
    });
    response.end();
  } else if (request.method !== 'POST') {
    reply(response, 405, { error: { code: 'method_not_allowed', message: 'use POST or DELETE' } });
  } else if (!equalSecrets(request.headers.authorization, `Bearer ${token}`)) {
    reply(response, 401, { error: { code: 'unauthorized', message: 'the console link holds no valid admin token' } });
  } else {
    response.writeHead(204, {
      'set-cookie': sessionCookieHeader(consoleSessionOf(token), request.socket.localPort),
      'cache-control': 'no-store',
    });
    response.end();
  }
}

/** Why a request was refused: 401 without a signature, 403 with one that does not hold. */
interface Denial {
  readonly status: 401 | 403;
  readonly code: 'unauthorized' | 'forbidden';
  readonly message: string;
}

const forbidden = (message: string): Denial => ({ status: 403, code: 'forbidden', message });

/**
 * Checks a SigV4 signature the way a Function URL with IAM auth does: the credential scope (accepted access key,
 * this region, service `lambda`), a date within 5 minutes, the body against `x-amz-content-sha256` when signed,
 * and the signature itself, recomputed over the signed headers, method, path, query and body.
 */
async function verifySignature(
  request: IncomingMessage,
  body: Buffer,
  auth: Extract<FunctionUrlAuth, { kind: 'iam' }>,
  now: Date,
): Promise<Denial | undefined> {
  const authorization = request.headers.authorization;
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      authorization ?? '',
    );
  if (match === null) {
    return {
      status: 401,
      code: 'unauthorized',
      message: `sign the request with AWS SigV4 (service ${signingService}, region ${auth.region}): this admin API uses IAM auth`,
    };
  }
  const [, accessKeyId, dateStamp, region, service, signedHeaderList = '', signature = ''] = match;
  if (accessKeyId !== auth.credentials.accessKeyId) {
    return forbidden(`the security token included in the request is invalid: access key '${accessKeyId}' is unknown`);
  }
  if (region !== auth.region || service !== signingService) {
    return forbidden(`the credential scope must be ${auth.region}/${signingService}, not ${region}/${service}`);
  }
  const signedHeaders = signedHeaderList.split(';');
  const amzDate = headerValue(request, 'x-amz-date');
  const signedAt = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date') || signedAt === undefined) {
    return forbidden('the signature must cover host and x-amz-date, and x-amz-date be YYYYMMDDTHHMMSSZ');
  }
  if (Math.abs(now.getTime() - signedAt.getTime()) > maxClockSkewMs || !amzDate?.startsWith(dateStamp ?? '')) {
    return forbidden(`signature expired: ${amzDate} is more than 5 minutes from ${now.toISOString()}`);
  }
  if ((headerValue(request, 'x-amz-security-token') ?? '') !== (auth.credentials.sessionToken ?? '')) {
    return forbidden('the security token included in the request is invalid');
  }
  const contentSha256 = headerValue(request, 'x-amz-content-sha256');
  if (contentSha256 !== undefined && contentSha256 !== createHash('sha256').update(body).digest('hex')) {
    return forbidden('the body does not match its x-amz-content-sha256');
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = headerValue(request, name);
    if (value === undefined) return forbidden(`signed header '${name}' is missing from the request`);
    headers[name] = value;
  }
  const url = new URL(request.url ?? '/', 'http://local');
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name);
    query[name] = values.length === 1 ? (values[0] ?? '') : values;
  }
  const expected = await signerFor(auth, false).sign(
    {
      method: request.method ?? 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      path: (request.url ?? '/').split('?')[0] ?? '/',
      query,
      headers,
      body,
    },
    { signingDate: signedAt },
  );
  const recomputed = /SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(expected.headers.authorization ?? '');
  const matches =
    recomputed?.[1] === signedHeaderList && timingSafeEqual(Buffer.from(recomputed[2] ?? ''), Buffer.from(signature));
  return matches
    ? undefined
    : forbidden(
        'the request signature we calculated does not match the signature you provided: check your AWS secret access key and signing method',
      );
}

function signerFor(auth: Extract<FunctionUrlAuth, { kind: 'iam' }>, applyChecksum: boolean): SignatureV4 {
  return new SignatureV4({
    service: signingService,
    region: auth.region,
    credentials: auth.credentials,
    sha256: Hash.bind(null, 'sha256'),
    // Verifying: hash the body only where the client signed its hash, so a client that did not is checked as sent.
    applyChecksum,
  });
}

/** `20261127T073000Z` as a date, or undefined. */
function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (match === null) return undefined;
  const date = new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Authentication for a request made by this process (the sandbox seeding demo groups). */
async function authorizeLocal(
  request: LocalRequest,
  url: string,
  auth: FunctionUrlAuth,
): Promise<Record<string, string>> {
  const headers = { ...(request.headers ?? {}) };
  if (auth.kind === 'token') return { ...headers, authorization: `Bearer ${auth.token}` };
  const target = new URL(request.path, url);
  const query: Record<string, string> = {};
  for (const [name, value] of target.searchParams) query[name] = value;
  const signed = await signerFor(auth, true).sign({
    method: request.method,
    protocol: target.protocol,
    hostname: target.hostname,
    path: target.pathname,
    query,
    headers: { ...headers, host: target.host },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return signed.headers;
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxPayloadBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toEvent(request: IncomingMessage, body: Buffer): LambdaFunctionURLEvent {
  const url = new URL(request.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = body.length === 0 || /json|text|xml|urlencoded/.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length === 0 ? {} : { queryStringParameters: query }),
    ...(request.headers.cookie === undefined ? {} : { cookies: request.headers.cookie.split(/;\s*/) }),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length === 0 ? {} : { body: isText ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: !isText,
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}
