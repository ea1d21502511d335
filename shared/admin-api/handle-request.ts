import { type ApiResponse, errorResponse, HttpError, issuesOfZodError } from '#shared/admin-api/api-error.ts';
import type { HttpMethod, Route } from '#shared/admin-api/route.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { Log } from '#shared/observability/logger.ts';
import * as z from '#shared/zod.ts';

/** An HTTP request as the admin API sees it, whatever carried it (Function URL event, local server). */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** The decoded body, or undefined when there is none. */
  readonly body: string | undefined;
}

/** Bodies larger than this are refused with 413 before they are parsed. */
export const maxBodyBytes = 1024 * 1024;

const methodsWithBody: ReadonlySet<string> = new Set(['POST', 'PATCH', 'PUT']);

/**
 * Routes a request, checks transport rules (size → 413, media type → 415, JSON → 400), validates params, query
 * and body with the route's schemas, runs it, and maps every error to the design's error body. Bad input never
 * reaches a use case, and never gets a 5xx.
 */
export async function handleRequest(request: HttpRequest, routes: readonly Route[], log: Log): Promise<ApiResponse> {
  try {
    const { route, params } = matchRoute(routes, request.method.toUpperCase(), request.path);
    const body = parseBody(route, request);
    return await route.handle({
      params: parseWith(route.params, params, 'path'),
      query: parseWith(route.query, stripUndefined(request.query), 'query'),
      body: route.body === undefined ? undefined : parseWith(route.body, body, ''),
      headers: request.headers,
    });
  } catch (error) {
    const response = errorResponse(error);
    if (response.statusCode >= 500) {
      log.error('admin request failed', { error });
    }
    return response;
  }
}

function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } {
  const segments = splitPath(path);
  const allowed: HttpMethod[] = [];
  for (const route of routes) {
    const params = matchPath(splitPath(route.path), segments);
    if (params === undefined) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  if (allowed.length > 0) {
    throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${path}; use ${allowed.join(', ')}`);
  }
  throw new HttpError(404, 'not_found', `no route for ${method} ${path}`);
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchPath(template: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of template.entries()) {
    const segment = segments[index] ?? '';
    if (part.startsWith('{') && part.endsWith('}')) {
      try {
        params[part.slice(1, -1)] = decodeURIComponent(segment);
      } catch {
        throw ValidationError.of(part.slice(1, -1), 'is not valid percent-encoding');
      }
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

function parseBody(route: Route, request: HttpRequest): unknown {
  const text = request.body ?? '';
  if (Buffer.byteLength(text) > maxBodyBytes) {
    throw new HttpError(413, 'payload_too_large', `the body is larger than ${maxBodyBytes} bytes`);
  }
  if (route.body === undefined || !methodsWithBody.has(route.method)) {
    if (text.trim() !== '') throw new HttpError(400, 'unexpected_body', `${route.method} ${route.path} takes no body`);
    return undefined;
  }
  if (text.trim() === '') {
    if (route.bodyOptional === true) return {};
    throw ValidationError.of('(body)', 'a JSON object body is required');
  }
  const contentType = request.headers['content-type'] ?? '';
  if (!isJsonMediaType(contentType)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `the body must be JSON (Content-Type: application/json), not '${contentType || 'unspecified'}'`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'malformed_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

function isJsonMediaType(contentType: string): boolean {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

function parseWith<T>(schema: z.ZodMiniType<T> | undefined, value: unknown, prefix: string): T {
  if (schema === undefined) return value as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(issuesOfZodError(parsed.error, prefix));
  return parsed.data;
}

function stripUndefined(record: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) result[key] = value;
  return result;
}

/** An empty params/query schema: nothing may be passed. */
export const NoQuerySchema = z.strictObject({});
