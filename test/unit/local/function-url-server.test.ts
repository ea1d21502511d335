import { afterEach, describe, expect, it } from 'vitest';
import { sigv4Authorizer } from '#cli/sigv4.ts';
import {
  type FunctionUrlAuth,
  type FunctionUrlServer,
  startFunctionUrlServer,
} from '#infra/local/function-url-server.ts';

let server: FunctionUrlServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const iam: FunctionUrlAuth = {
  kind: 'iam',
  region: 'ap-northeast-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

/** A Function URL whose handler echoes the method, path, query and body it was given. */
async function echoServer(auth: FunctionUrlAuth, now?: () => Date): Promise<FunctionUrlServer> {
  server = await startFunctionUrlServer({
    auth,
    port: 0,
    ...(now === undefined ? {} : { now }),
    handler: async (event) => ({
      statusCode: 200,
      body: JSON.stringify({
        method: event.requestContext.http.method,
        path: event.rawPath,
        query: event.queryStringParameters ?? {},
        body: event.body ?? null,
      }),
    }),
  });
  return server;
}

/** Sends a request signed by the CLI's signer with these credentials and region. */
async function signedRequest(
  target: FunctionUrlServer,
  request: { method: string; path: string; body?: string },
  signer: { region?: string; secretAccessKey?: string; accessKeyId?: string } = {},
  tamper: (headers: Record<string, string>) => Record<string, string> = (headers) => headers,
): Promise<{ status: number; body: { error?: { code: string; message: string } } & Record<string, unknown> }> {
  const url = new URL(request.path, target.url);
  const authorizer = sigv4Authorizer({
    region: signer.region ?? 'ap-northeast-1',
    credentials: { accessKeyId: signer.accessKeyId ?? 'test', secretAccessKey: signer.secretAccessKey ?? 'test' },
  });
  const headers = await authorizer.authorize({
    method: request.method,
    url,
    headers: request.body === undefined ? {} : { 'content-type': 'application/json' },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const response = await fetch(url, {
    method: request.method,
    headers: tamper(headers),
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return {
    status: response.status,
    body: (await response.json()) as Awaited<ReturnType<typeof signedRequest>>['body'],
  };
}

describe('local Function URL with IAM auth', () => {
  it('passes a SigV4-signed request with a body and a query through to the handler', async () => {
    const target = await echoServer(iam);
    const answer = await signedRequest(target, {
      method: 'POST',
      path: '/runs/a%3Ab/jobs?status=failed&limit=5',
      body: '{"x":"é"}',
    });
    expect(answer).toEqual({
      status: 200,
      body: { method: 'POST', path: '/runs/a%3Ab/jobs', query: { status: 'failed', limit: '5' }, body: '{"x":"é"}' },
    });
  });

  it('answers 401 to a request without a signature, naming the service and region', async () => {
    const target = await echoServer(iam);
    const unsigned = await fetch(`${target.url}/groups`);
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { error: { message: string } }).error.message).toContain(
      'sign the request with AWS SigV4 (service lambda, region ap-northeast-1)',
    );
    const bearer = await fetch(`${target.url}/groups`, { headers: { authorization: 'Bearer token' } });
    expect(bearer.status).toBe(401);
  });

  it('answers 403 to a wrong secret, an unknown key, another region, a changed body or a changed query', async () => {
    const target = await echoServer(iam);
    const cases = [
      await signedRequest(target, { method: 'GET', path: '/groups' }, { secretAccessKey: 'wrong' }),
      await signedRequest(target, { method: 'GET', path: '/groups' }, { accessKeyId: 'AKIDOTHER' }),
      await signedRequest(target, { method: 'GET', path: '/groups' }, { region: 'us-east-1' }),
      await signedRequest(target, { method: 'POST', path: '/groups', body: '{"a":1}' }, {}, (headers) => ({
        ...headers,
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      })),
    ];
    for (const answer of cases) expect(answer).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(cases[0]?.body.error?.message).toContain('signature we calculated does not match');
    expect(cases[1]?.body.error?.message).toContain("access key 'AKIDOTHER' is unknown");
    expect(cases[2]?.body.error?.message).toContain('must be ap-northeast-1/lambda, not us-east-1/lambda');

    const url = new URL('/groups?limit=1', target.url);
    const headers = await sigv4Authorizer({ region: 'ap-northeast-1', credentials: iam.credentials }).authorize({
      method: 'GET',
      url,
      headers: {},
    });
    const replayedElsewhere = await fetch(`${target.url}/groups?limit=1000`, { headers });
    expect(replayedElsewhere.status).toBe(403);
  });

  it('answers 403 to a signature more than 5 minutes old', async () => {
    const target = await echoServer(iam, () => new Date(Date.now() + 6 * 60_000));
    const answer = await signedRequest(target, { method: 'GET', path: '/groups' });
    expect(answer.status).toBe(403);
    expect(answer.body.error?.message).toContain('signature expired');
  });

  it('signs the requests of its own process', async () => {
    const target = await echoServer(iam);
    const headers = await target.authorize({
      method: 'PATCH',
      path: '/data-sources/jquants',
      body: '{"plan":"premium"}',
    });
    const response = await fetch(`${target.url}/data-sources/jquants`, {
      method: 'PATCH',
      headers,
      body: '{"plan":"premium"}',
    });
    expect(response.status).toBe(200);
  });
});

describe('local Function URL with a bearer token', () => {
  it('takes the token and refuses anything else with 401', async () => {
    const target = await echoServer({ kind: 'token', token: 'secret-token' });
    expect((await fetch(`${target.url}/groups`, { headers: { authorization: 'Bearer secret-token' } })).status).toBe(
      200,
    );
    expect((await fetch(`${target.url}/groups`, { headers: { authorization: 'Bearer other' } })).status).toBe(401);
    expect((await signedRequest(target, { method: 'GET', path: '/groups' })).status).toBe(401);
    expect(
      (await fetch(`${target.url}/groups`, { headers: await target.authorize({ method: 'GET', path: '/groups' }) }))
        .status,
    ).toBe(200);
  });
});
