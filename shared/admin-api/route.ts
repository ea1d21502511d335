import type { ApiResponse } from '#shared/admin-api/api-error.ts';
import type * as z from '#shared/zod.ts';

/** HTTP methods the admin API serves. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** What a route handler receives: everything already parsed by the route's schemas. */
export interface RouteInput<Params, Query, Body> {
  readonly params: Params;
  readonly query: Query;
  readonly body: Body;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** One operation of the admin API; the same schemas validate requests and describe them in OpenAPI. */
export interface RouteDefinition<Params, Query, Body> {
  readonly method: HttpMethod;
  /** Path template with `{name}` segments, e.g. `/groups/{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly params?: z.ZodMiniType<Params>;
  readonly query?: z.ZodMiniType<Query>;
  /** Body schema; routes without one accept no body. */
  readonly body?: z.ZodMiniType<Body>;
  /** Whether the body may be omitted (an empty body is parsed as `{}`). @default false */
  readonly bodyOptional?: boolean;
  /** The success response, for OpenAPI. */
  readonly response?: { readonly status: number; readonly schema?: z.ZodMiniType; readonly description: string };
  handle(input: RouteInput<Params, Query, Body>): Promise<ApiResponse>;
}

/** A route with its types erased, as the router holds it. */
export type Route = RouteDefinition<unknown, unknown, unknown>;

/** Declares a route, keeping its schemas and handler in step at compile time. */
export function defineRoute<Params = Record<string, never>, Query = Record<string, never>, Body = undefined>(
  definition: RouteDefinition<Params, Query, Body>,
): Route {
  return definition as unknown as Route;
}

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers?: Record<string, string>): ApiResponse {
  return headers === undefined ? { statusCode, body } : { statusCode, body, headers };
}
