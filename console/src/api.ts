import { consoleRequestHeader, consoleSessionPath } from '../../shared/admin-api/console-session.ts';

/** One bad field of a 400, as the admin API lists it in `error.details.issues`. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** An answer of the admin API that was not a success: its status, code, message and bad fields. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: readonly FieldIssue[];

  constructor(status: number, code: string, message: string, issues: readonly FieldIssue[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

let onSignedOut: () => void = () => {};

/** Called whenever the API answers 401: the page then asks to be opened through its console link again. */
export function whenSignedOut(listener: () => void): void {
  onSignedOut = listener;
}

/**
 * Calls the admin API on this origin. The session cookie goes with it (same origin), and so does the console's
 * header, without which the cookie authorises nothing. Resolves with the answer's JSON; rejects with an ApiError
 * that carries the API's own message and field issues.
 */
export async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        [consoleRequestHeader]: '1',
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiError(0, 'unreachable', `the admin API did not answer: ${(error as Error).message}`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (response.ok) return json as T;
  if (response.status === 401) onSignedOut();
  const error = (json as { error?: { code?: string; message?: string; details?: { issues?: FieldIssue[] } } })?.error;
  throw new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? `the admin API answered ${response.status}`,
    error?.details?.issues ?? [],
  );
}

/** Trades the secret of a console link for the session cookie. */
export async function signIn(secret: string): Promise<void> {
  const response = await fetch(consoleSessionPath, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { authorization: `Bearer ${secret}`, [consoleRequestHeader]: '1' },
  });
  if (!response.ok) throw new ApiError(response.status, 'sign_in_failed', 'this console link is not valid (any more)');
}

/** Drops the session cookie. */
export async function signOut(): Promise<void> {
  await fetch(consoleSessionPath, { method: 'DELETE', credentials: 'same-origin' });
}

/** A path segment, encoded. */
export const segment = (value: string): string => encodeURIComponent(value);
