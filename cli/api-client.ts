import type { RequestAuthorizer } from '#cli/auth.ts';
import { ApiError, CliError, type FieldIssue } from '#cli/errors.ts';

/** One call to the admin API. */
export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The path with its segments already encoded (see `pathOf`). */
  readonly path: string;
  /** Query parameters; undefined values are left out. */
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** What to do next when the API answers 404, e.g. the command that lists what exists. */
  readonly notFoundHint?: string;
  /** What to do next when the API answers a 409 other than a version conflict. */
  readonly conflictHint?: string;
}

/** A successful answer: the body parsed, and its text as the API sent it (for `--json`). */
export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body; undefined when there is none. */
  readonly body: unknown;
  /** The body exactly as received. */
  readonly text: string;
}

/** Joins path segments, encoding each: `pathOf('runs', id, 'jobs')` → `/runs/<id>/jobs`. */
export function pathOf(...segments: readonly string[]): string {
  return `/${segments.map((segment) => encodeURIComponent(segment)).join('/')}`;
}

/** Calls the admin API with its authentication, turning error answers into `ApiError`s that say what to do next. */
export class AdminApiClient {
  readonly baseUrl: URL;
  readonly authorizer: RequestAuthorizer;
  private readonly fetch: typeof fetch;

  constructor(options: { baseUrl: URL; authorizer: RequestAuthorizer; fetch?: typeof fetch }) {
    this.baseUrl = options.baseUrl;
    this.authorizer = options.authorizer;
    this.fetch = options.fetch ?? fetch;
  }

  /** Sends the request; resolves with a 2xx answer, rejects with `ApiError` or `CliError` otherwise. */
  async call(request: ApiRequest): Promise<ApiAnswer> {
    const url = new URL(request.path.replace(/^\//, ''), `${this.baseUrl.href.replace(/\/*$/, '')}/`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const unsigned: Record<string, string> = {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...lowerCased(request.headers ?? {}),
    };
    const headers = await this.authorize(request.method, url, unsigned, body);
    let response: Response;
    try {
      response = await this.fetch(url, { method: request.method, headers, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      throw new CliError(
        `cannot reach the admin API at ${this.baseUrl.origin}: ${causeOf(error)}`,
        'check --url or MOOMOO_URL; for the sandbox, is `npm start` running and is this the Admin API line it printed?',
        { cause: error },
      );
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) return { status: response.status, headers: response.headers, body: parsed, text };
    throw this.errorOf(response, parsed, text, request);
  }

  private async authorize(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<Record<string, string>> {
    try {
      return await this.authorizer.authorize({ method, url, headers, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(
        `cannot sign the request with AWS credentials: ${causeOf(error)}`,
        'for the sandbox set MOOMOO_TOKEN to the Admin token `npm start` printed; for a deployed admin API give ' +
          'AWS credentials (AWS_PROFILE, `aws sso login`, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
        { cause: error },
      );
    }
  }

  private errorOf(response: Response, parsed: unknown, text: string, request: ApiRequest): ApiError {
    const error = errorBodyOf(parsed);
    const code = error?.code ?? httpCode(response.status);
    const message =
      error?.message ??
      (text.trim() === ''
        ? `${request.method} ${request.path} answered ${response.status}`
        : text.trim().slice(0, 500));
    const hint = hintFor(response.status, code, {
      authorizer: this.authorizer,
      retryAfter: response.headers.get('retry-after') ?? undefined,
      ...(request.notFoundHint === undefined ? {} : { notFoundHint: request.notFoundHint }),
      ...(request.conflictHint === undefined ? {} : { conflictHint: request.conflictHint }),
    });
    return new ApiError(
      { status: response.status, code, message, issues: error?.issues ?? [], details: error?.details },
      hint,
    );
  }
}

interface ParsedErrorBody {
  code?: string;
  message?: string;
  issues?: FieldIssue[];
  details?: unknown;
}

/** Reads `{error: {code, message, details: {issues}}}`, and the `{message}` of AWS's own 403s. */
function errorBodyOf(body: unknown): ParsedErrorBody | undefined {
  if (!isRecord(body)) return undefined;
  const error = isRecord(body.error) ? body.error : undefined;
  if (error === undefined) {
    const message = body.message ?? body.Message;
    return typeof message === 'string' ? { message } : undefined;
  }
  const details = isRecord(error.details) ? error.details : undefined;
  const issues = Array.isArray(details?.issues)
    ? details.issues.filter(isRecord).map((issue) => ({ path: String(issue.path), message: String(issue.message) }))
    : undefined;
  return {
    ...(typeof error.code === 'string' ? { code: error.code } : {}),
    ...(typeof error.message === 'string' ? { message: error.message } : {}),
    ...(issues === undefined ? {} : { issues }),
    ...(error.details === undefined ? {} : { details: error.details }),
  };
}

/** What to do next after an error answer. */
export function hintFor(
  status: number,
  code: string,
  context: {
    authorizer: Pick<RequestAuthorizer, 'kind'>;
    retryAfter?: string;
    notFoundHint?: string;
    conflictHint?: string;
  },
): string {
  if (status === 400) return 'fix what is named above and run the command again';
  if (status === 401 || status === 403) {
    return context.authorizer.kind === 'token'
      ? 'check MOOMOO_TOKEN: it must be the Admin token the sandbox printed (a sandbox started with ADMIN_AUTH=iam ' +
          'wants SigV4: unset MOOMOO_TOKEN and set AWS_REGION)'
      : 'check your AWS credentials (`aws sts get-caller-identity`), that they may call lambda:InvokeFunctionUrl on ' +
          'this function, and the region; for a sandbox with a bearer token set MOOMOO_TOKEN';
  }
  if (status === 404) return context.notFoundHint ?? 'check the id, and --url or MOOMOO_URL';
  if (status === 409 && code === 'version_conflict') {
    return 'it changed since it was read: run the command again to apply your change to the current version';
  }
  if (status === 409) return context.conflictHint ?? 'see the message above: the request conflicts with what is stored';
  if (status === 413) return 'send less at once (a body may be at most 1 MB)';
  if (status === 429) return `wait ${context.retryAfter ?? 'a minute'} seconds and run the command again`;
  if (status >= 500) {
    return 'the service failed: look at its log (the sandbox output, or CloudWatch) and run the command again';
  }
  return 'see the message above';
}

function httpCode(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  return `http_${status}`;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function lowerCased(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
