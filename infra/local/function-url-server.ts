import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';

/** A handler of Function URL events (payload format 2.0). */
export type FunctionUrlHandler = (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;

/** Function URLs refuse request payloads over 6 MB. */
const maxPayloadBytes = 6 * 1024 * 1024;

/** A running local Function URL. */
export interface FunctionUrlServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a Function URL locally: each HTTP request becomes a payload-2.0 event for the handler, and the handler's
 * result becomes the response. Locally, `Authorization: Bearer <token>` stands in for IAM auth.
 */
export async function startFunctionUrlServer(options: {
  handler: FunctionUrlHandler;
  token: string;
  port: number;
  host?: string;
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
  return {
    url: `http://${host}:${port}`,
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
  options: { handler: FunctionUrlHandler; token: string },
): Promise<void> {
  if (!isAuthorised(request.headers.authorization, options.token)) {
    reply(response, 401, { error: { code: 'unauthorized', message: 'send Authorization: Bearer <admin token>' } });
    request.resume();
    return;
  }
  const body = await readBody(request);
  if (body === undefined) {
    reply(response, 413, { error: { code: 'payload_too_large', message: 'the request is larger than 6 MB' } });
    return;
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

function isAuthorised(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(header ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
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
