import { describe, expect, it } from 'vitest';
import { endpointOptions, isLoopbackUrl, UnsafeEndpointError } from '#shared/adapters/aws-endpoint.ts';

describe('AWS endpoint guard', () => {
  it('uses the SDK defaults when no endpoint is set', () => {
    expect(endpointOptions({})).toEqual({});
  });

  it('accepts loopback emulator endpoints', () => {
    for (const endpoint of ['http://127.0.0.1:5000', 'http://localhost:4566', 'http://[::1]:5000']) {
      expect(endpointOptions({ AWS_ENDPOINT_URL: endpoint })).toEqual({ endpoint });
    }
  });

  it('refuses a non-loopback endpoint unless explicitly allowed', () => {
    expect(() => endpointOptions({ AWS_ENDPOINT_URL: 'https://dynamodb.ap-northeast-1.amazonaws.com' })).toThrow(
      UnsafeEndpointError,
    );
    expect(() => endpointOptions({ AWS_ENDPOINT_URL: 'http://10.0.0.5:5000' })).toThrow(UnsafeEndpointError);
    expect(endpointOptions({ AWS_ENDPOINT_URL: 'http://10.0.0.5:5000', MOOMOO_ALLOW_REMOTE_ENDPOINT: 'true' })).toEqual(
      { endpoint: 'http://10.0.0.5:5000' },
    );
  });

  it('does not mistake a look-alike host for loopback', () => {
    expect(isLoopbackUrl('http://127.0.0.1.example.com')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });
});
