import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import type { ApiResponse } from '#shared/admin-api/api-error.ts';
import type { HttpRequest } from '#shared/admin-api/handle-request.ts';

/** A Function URL event (payload format 2.0) as the admin API's request. */
export function requestOfFunctionUrlEvent(event: LambdaFunctionURLEvent): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const body =
    event.body === undefined
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    headers,
    query: event.queryStringParameters ?? {},
    body,
  };
}

/** The admin API's response as a Function URL result: JSON, bytes as they are (the console's files), or empty. */
export function functionUrlResultOf(response: ApiResponse): LambdaFunctionURLResult {
  const headers = { ...(response.headers ?? {}) };
  if (response.body === undefined) return { statusCode: response.statusCode, headers };
  if (response.body instanceof Uint8Array) {
    return {
      statusCode: response.statusCode,
      headers,
      body: Buffer.from(response.body).toString('base64'),
      isBase64Encoded: true,
    };
  }
  return {
    statusCode: response.statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(response.body),
  };
}
