import type { Route } from '#shared/admin-api/route.ts';
import * as z from '#shared/zod.ts';

type JsonSchema = Record<string, unknown>;

const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.optional(z.unknown()) }),
});

/**
 * The OpenAPI 3.0 document of the admin API, generated from the same zod schemas that validate requests, so the
 * description cannot drift from the behaviour.
 */
export function openApiDocument(routes: readonly Route[]): Record<string, unknown> {
  const components: Record<string, JsonSchema> = { ErrorBody: toSchema(ErrorBodySchema, 'output', 'ErrorBody', {}) };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
      responses: {
        [String(route.response?.status ?? 200)]: {
          description: route.response?.description ?? 'success',
          ...(route.response?.schema === undefined
            ? {}
            : {
                content: {
                  'application/json': {
                    schema: toSchema(route.response.schema, 'output', `${route.operationId}Response`, components),
                  },
                },
              }),
        },
        '4XX': {
          description: 'bad input (400, with the path of each bad field), auth (401/403), 404, 409, 413 or 415',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
        },
      },
    };
    if (route.body !== undefined) {
      operation.requestBody = {
        required: route.bodyOptional !== true,
        content: {
          'application/json': { schema: toSchema(route.body, 'input', `${route.operationId}Request`, components) },
        },
      };
    }
    const pathItem = paths[route.path] ?? {};
    pathItem[route.method.toLowerCase()] = operation;
    paths[route.path] = pathItem;
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'moomoo-markets admin API',
      version: '1',
      description:
        'Job groups, schedules, runs, data sources and backups. Errors: { error: { code, message, details? } }.',
    },
    security: [{ sigv4: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'AWS SigV4 (deployed); Bearer token (sandbox)',
        },
      },
    },
  };
}

/** Converts a schema, moving its shared definitions into `components` under names unique to `prefix`. */
function toSchema(
  schema: z.ZodMiniType,
  io: 'input' | 'output',
  prefix: string,
  components: Record<string, JsonSchema>,
): JsonSchema {
  const generated = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as JsonSchema;
  const { definitions, ...rest } = generated as JsonSchema & { definitions?: Record<string, JsonSchema> };
  let text = JSON.stringify(rest);
  for (const [name, definition] of Object.entries(definitions ?? {})) {
    const componentName = `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '')}`;
    const reference = `"#/definitions/${name}"`;
    text = text.split(reference).join(`"#/components/schemas/${componentName}"`);
    components[componentName] = JSON.parse(
      JSON.stringify(definition).split(reference).join(`"#/components/schemas/${componentName}"`),
    ) as JsonSchema;
  }
  return JSON.parse(text) as JsonSchema;
}

function parametersOf(schema: z.ZodMiniType | undefined, location: 'path' | 'query'): unknown[] {
  if (schema === undefined) return [];
  const generated = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(generated.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (generated.required ?? []).includes(name),
    schema: property,
  }));
}
