import { describe, expect, it } from 'vitest';
import { anAdminApi } from '#test/fixtures/admin-api-harness.ts';

/** Every `$ref` value anywhere under `node`, with the JSON path where it sits. */
function refsIn(node: unknown, path = '$'): { path: string; ref: string }[] {
  if (Array.isArray(node)) return node.flatMap((item, index) => refsIn(item, `${path}[${index}]`));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [{ path, ref: value }] : refsIn(value, `${path}.${key}`),
  );
}

async function theDocument() {
  const harness = anAdminApi();
  const response = await harness.request('GET', '/openapi.json');
  expect(response.status).toBe(200);
  return { ...harness, document: response.body };
}

describe('admin API: GET /openapi.json', () => {
  it('is an OpenAPI 3.0 document', async () => {
    const { document } = await theDocument();
    expect(document.openapi).toMatch(/^3\.0\.\d+$/);
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(document.components.schemas).toBeTypeOf('object');
  });

  it('lists every route the API serves, and only those', async () => {
    const { document, api } = await theDocument();
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = api.routes.map((route) => `${route.method} ${route.path}`);
    expect(documented.sort()).toEqual(served.sort());
    expect(served).toContain('GET /openapi.json');
  });

  it('gives each operation a unique operationId', async () => {
    const { api } = await theDocument();
    const ids = api.routes.map((route) => route.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resolves every $ref to an entry of components.schemas', async () => {
    const { document } = await theDocument();
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(0);
    const schemas = document.components.schemas as Record<string, unknown>;
    for (const { path, ref } of refs) {
      expect(ref, path).toMatch(/^#\/components\/schemas\/[A-Za-z0-9._-]+$/);
      expect(schemas, `${path}: ${ref}`).toHaveProperty([ref.slice('#/components/schemas/'.length)]);
    }
  });

  it('keeps JSON-Schema-only keywords out of the schemas', async () => {
    const { document } = await theDocument();
    expect(JSON.stringify(document)).not.toMatch(/"\$schema"|"\$defs"|"#\/definitions\//);
  });

  it('describes the createGroup body as a closed object that requires a name', async () => {
    const { document } = await theDocument();
    const operation = document.paths['/groups'].post;
    expect(operation.operationId).toBe('createGroup');
    expect(operation.requestBody.required).toBe(true);
    const schema = operation.requestBody.content['application/json'].schema;
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toContain('name');
    expect(schema.required).not.toContain('id');
  });

  it('describes path parameters as required and error responses with the error body', async () => {
    const { document } = await theDocument();
    const operation = document.paths['/data-sources/{id}'].patch;
    expect(operation.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string', enum: ['jquants', 'yahoo'] } },
    ]);
    expect(operation.responses['4XX'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorBody',
    });
  });
});
