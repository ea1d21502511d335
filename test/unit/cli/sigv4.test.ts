import { describe, expect, it } from 'vitest';
import { authorizerFor } from '#cli/auth.ts';
import { regionOfFunctionUrl, signingRegion, sigv4Authorizer } from '#cli/sigv4.ts';

describe('SigV4 signing for a Function URL', () => {
  it('reads the region from a Function URL host', () => {
    expect(regionOfFunctionUrl(new URL('https://abcdef123.lambda-url.ap-northeast-1.on.aws/'))).toBe('ap-northeast-1');
    expect(regionOfFunctionUrl(new URL('https://ABC.lambda-url.US-EAST-2.on.aws'))).toBe('us-east-2');
    expect(regionOfFunctionUrl(new URL('http://127.0.0.1:3000'))).toBeUndefined();
    expect(regionOfFunctionUrl(new URL('https://example.com/abc.lambda-url.eu-west-1.on.aws'))).toBeUndefined();
  });

  it("prefers the URL's region to AWS_REGION, and says what to set when there is none", () => {
    const functionUrl = new URL('https://abc.lambda-url.eu-west-1.on.aws');
    expect(signingRegion(functionUrl, { AWS_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(signingRegion(new URL('http://127.0.0.1:3000'), { AWS_REGION: 'us-east-1' })).toBe('us-east-1');
    expect(signingRegion(new URL('http://127.0.0.1:3000'), { AWS_DEFAULT_REGION: 'us-west-2' })).toBe('us-west-2');
    expect(() => signingRegion(new URL('http://127.0.0.1:3000'), {})).toThrow('cannot tell which AWS region');
  });

  it('sends the bearer token with MOOMOO_TOKEN and signs otherwise', async () => {
    const url = new URL('https://abc.lambda-url.ap-northeast-1.on.aws');
    expect(authorizerFor(url, { MOOMOO_TOKEN: 't' }).kind).toBe('token');
    expect(authorizerFor(url, {}).kind).toBe('sigv4');
    expect(await authorizerFor(url, { MOOMOO_TOKEN: 't' }).authorize({ method: 'GET', url, headers: {} })).toEqual({
      authorization: 'Bearer t',
    });
  });

  it('signs for service lambda in the region, covering host, date and the body hash', async () => {
    const authorizer = sigv4Authorizer({
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const headers = await authorizer.authorize({
      method: 'POST',
      url: new URL('http://127.0.0.1:3000/groups?limit=5'),
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/ap-northeast-1\/lambda\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(headers.host).toBe('127.0.0.1:3000');
    expect(headers['x-amz-content-sha256']).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});
