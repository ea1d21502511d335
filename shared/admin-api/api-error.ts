import {
  AlreadyExistsError,
  type FieldIssue,
  isSchemaError,
  MoomooError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '#shared/domain/errors.ts';
import type * as z from '#shared/zod.ts';

/** The admin API's error body (design §5). */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

/** An error answered with a specific HTTP status and code: auth, routing and transport problems. */
export class HttpError extends MoomooError {
  readonly code: string;
  readonly statusCode: number;
  readonly details?: unknown;

  constructor(statusCode: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }
}

/** An HTTP response before serialisation. */
export interface ApiResponse {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  /** Serialised as JSON; undefined gives an empty body. */
  readonly body?: unknown;
}

/** A zod failure as field issues with dotted paths (`parametersTemplate.code`, `dependsOn[2]`). */
export function issuesOfZodError(error: z.core.$ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = formatPath([...(prefix === '' ? [] : [prefix]), ...issue.path]);
    if (issue.code === 'unrecognized_keys') {
      return { path: path || '(body)', message: `unknown field(s): ${issue.keys.join(', ')}` };
    }
    return { path: path || '(body)', message: issue.message };
  });
}

/** Joins path segments: names with dots, indexes in brackets. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? String(segment) : `.${String(segment)}`;
  }
  return path;
}

/**
 * Maps any error to a response. Known domain errors become their 4xx; anything else is a 500 whose body says
 * nothing internal (the caller logs the error itself).
 */
export function errorResponse(error: unknown): ApiResponse {
  const body = (code: string, message: string, details?: unknown): ErrorBody => ({
    error: details === undefined ? { code, message } : { code, message, details },
  });
  if (error instanceof HttpError) {
    return { statusCode: error.statusCode, body: body(error.code, error.message, error.details) };
  }
  if (error instanceof ValidationError) {
    return { statusCode: 400, body: body(error.code, error.message, { issues: error.issues }) };
  }
  if (isSchemaError(error)) {
    const issues = issuesOfZodError(error);
    return { statusCode: 400, body: body('validation_failed', new ValidationError(issues).message, { issues }) };
  }
  if (error instanceof NotFoundError) return { statusCode: 404, body: body(error.code, error.message) };
  if (error instanceof AlreadyExistsError || error instanceof VersionConflictError) {
    return { statusCode: 409, body: body(error.code, error.message) };
  }
  return { statusCode: 500, body: body('internal_error', 'the request failed inside the service; it is logged') };
}
