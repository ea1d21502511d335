import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { OutgoingRequest, RequestAuthorizer } from '#cli/auth.ts';
import { UsageError } from '#cli/errors.ts';

/** Static credentials, or a provider of them. */
export type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** Function URLs are invoked as the `lambda` service (SigV4 credential scope). */
export const functionUrlService = 'lambda';

/** The region of a Function URL, `https://<id>.lambda-url.<region>.on.aws`, or undefined for any other URL. */
export function regionOfFunctionUrl(url: URL): string | undefined {
  return /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/i.exec(url.hostname)?.[1]?.toLowerCase();
}

/** The region to sign for: the Function URL's own, else `AWS_REGION` (or `AWS_DEFAULT_REGION`). */
export function signingRegion(url: URL, env: Readonly<Record<string, string | undefined>>): string {
  const region = regionOfFunctionUrl(url) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region === undefined || region === '') {
    throw new UsageError(
      `cannot tell which AWS region ${url.origin} is in`,
      'set AWS_REGION to the region of the admin API (a deployed Function URL names it: <id>.lambda-url.<region>.on.aws)',
    );
  }
  return region;
}

/**
 * Signs each request with SigV4 for a Function URL with `AWS_IAM` auth: service `lambda`, credentials from the
 * standard chain (environment, shared profile, SSO, …) unless given. The body is hashed into the signature.
 */
export function sigv4Authorizer(options: { region: string; credentials?: Credentials }): RequestAuthorizer {
  const signer = new SignatureV4({
    service: functionUrlService,
    region: options.region,
    credentials: options.credentials ?? standardCredentialChain(),
    sha256: Hash.bind(null, 'sha256'),
  });
  return {
    kind: 'sigv4',
    description: `AWS SigV4 (service ${functionUrlService}, region ${options.region})`,
    authorize: async (request) => (await signer.sign(toSignable(request))).headers,
  };
}

function toSignable(request: OutgoingRequest): Parameters<SignatureV4['sign']>[0] {
  const query: Record<string, string> = {};
  for (const [name, value] of request.url.searchParams) query[name] = value;
  return {
    method: request.method,
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    path: request.url.pathname,
    query,
    headers: { ...request.headers, host: request.url.host },
    ...(request.body === undefined ? {} : { body: request.body }),
  };
}

/** The SDK's default chain, loaded on first use: a token-authenticated call never pays for it. */
function standardCredentialChain(): Credentials {
  let provider: ReturnType<typeof import('@aws-sdk/credential-providers').fromNodeProviderChain> | undefined;
  return async () => {
    provider ??= (await import('@aws-sdk/credential-providers')).fromNodeProviderChain();
    return provider();
  };
}
