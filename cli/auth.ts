import { signingRegion, sigv4Authorizer } from '#cli/sigv4.ts';

/** A request about to be sent, as an authorizer sees it. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Adds authentication to requests: the sandbox's bearer token, or a SigV4 signature. */
export interface RequestAuthorizer {
  readonly kind: 'token' | 'sigv4';
  /** How requests are authenticated, for messages. */
  readonly description: string;
  /** The request's headers with authentication added. */
  authorize(request: OutgoingRequest): Promise<Record<string, string>>;
}

/** Sends `Authorization: Bearer <token>`, as the sandbox asks by default. */
export function tokenAuthorizer(token: string): RequestAuthorizer {
  return {
    kind: 'token',
    description: 'the bearer token in MOOMOO_TOKEN',
    authorize: async (request) => ({ ...request.headers, authorization: `Bearer ${token}` }),
  };
}

/** With `MOOMOO_TOKEN`, the bearer token; otherwise SigV4 for a Function URL (design §7). */
export function authorizerFor(url: URL, env: Readonly<Record<string, string | undefined>>): RequestAuthorizer {
  const token = env.MOOMOO_TOKEN;
  if (token !== undefined && token !== '') return tokenAuthorizer(token);
  return sigv4Authorizer({ region: signingRegion(url, env) });
}
