/**
 * Where the AWS SDK clients send requests. Deployed code uses the SDK's defaults (no endpoint override); tests and
 * the sandbox point every client at an emulator through `AWS_ENDPOINT_URL`, which must be loopback so that a stray
 * setting can never send test traffic to a real account, nor deployed code to an emulator.
 */

/** An endpoint override was refused because it is not on this machine. */
export class UnsafeEndpointError extends Error {
  constructor(endpoint: string) {
    super(
      `AWS endpoint ${endpoint} is not a loopback address; set MOOMOO_ALLOW_REMOTE_ENDPOINT=true to allow it on purpose`,
    );
    this.name = 'UnsafeEndpointError';
  }
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True when the URL's host is this machine. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const { hostname } = new URL(url);
    return loopbackHosts.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
  } catch {
    return false;
  }
}

/** SDK client options for the configured endpoint; `{}` when none is set (real AWS, deployed). */
export function endpointOptions(env: Record<string, string | undefined> = process.env): {
  endpoint?: string;
} {
  const endpoint = env.AWS_ENDPOINT_URL;
  if (endpoint === undefined || endpoint === '') return {};
  if (!isLoopbackUrl(endpoint) && env.MOOMOO_ALLOW_REMOTE_ENDPOINT !== 'true') throw new UnsafeEndpointError(endpoint);
  return { endpoint };
}
