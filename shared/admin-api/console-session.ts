/**
 * How the console signs in where a browser cannot sign requests itself (the sandbox's bearer token, and the
 * `moomoo console` proxy in front of an IAM Function URL). The page finds a secret in its URL's fragment
 * (`#token=…`, never sent to a server), trades it once at `POST /console/session` (`Authorization: Bearer <secret>`)
 * for an HttpOnly, SameSite=Strict cookie, and from then on sends that cookie with the custom header below on every
 * API call. A page of another site can make a browser send the cookie on a simple request, but not a custom header
 * without a CORS preflight, which these servers never grant: the cookie alone authorises nothing.
 *
 * No Node.js imports: the browser bundle uses these names too.
 */

/** Trades the secret for the cookie (POST), or drops the cookie (DELETE). */
export const consoleSessionPath = '/console/session';

/**
 * The session cookie's name on the server listening at `port`. Cookies ignore ports, so each local server (the sandbox,
 * each `moomoo console`) names its own: signing in to one never signs out of another.
 */
export function consoleSessionCookieOf(port: number | undefined): string {
  return port === undefined ? 'moomoo_console' : `moomoo_console_${port}`;
}

/** The header every cookie-authenticated request must carry (any non-empty value; the console sends `1`). */
export const consoleRequestHeader = 'x-moomoo-console';

/** The fragment parameter that carries the secret in a console URL (`http://127.0.0.1:3000/#token=…`). */
export const consoleTokenParameter = 'token';

/** `Set-Cookie` for a session: HttpOnly (no script reads it), SameSite=Strict (no other site sends it), whole host. */
export function sessionCookieHeader(value: string, port: number | undefined): string {
  return `${consoleSessionCookieOf(port)}=${value}; Path=/; HttpOnly; SameSite=Strict`;
}

/** `Set-Cookie` that removes the session cookie. */
export function expiredSessionCookieHeader(port: number | undefined): string {
  return `${consoleSessionCookieOf(port)}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/** The value of the session cookie of the server at `port` in a `Cookie` header, or undefined. */
export function sessionCookieOf(cookieHeader: string | undefined, port: number | undefined): string | undefined {
  const name = consoleSessionCookieOf(port);
  for (const pair of (cookieHeader ?? '').split(/;\s*/)) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator) === name) return pair.slice(separator + 1);
  }
  return undefined;
}

/** A console URL: the server's origin with the secret in the fragment. */
export function consoleUrlOf(origin: string, secret: string): string {
  return `${origin.replace(/\/$/, '')}/#${consoleTokenParameter}=${encodeURIComponent(secret)}`;
}
