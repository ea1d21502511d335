import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { consoleAssetDirectory } from '#shared/adapters/console-asset-directory.ts';
import type { ConsoleAsset, ConsoleAssetSource } from '#shared/admin-api/console-routes.ts';
import { consoleRoutes, isConsolePath } from '#shared/admin-api/console-routes.ts';
import { functionUrlResultOf } from '#shared/admin-api/function-url.ts';
import { handleRequest } from '#shared/admin-api/handle-request.ts';
import { silentLog } from '#shared/observability/logger.ts';
import { anAdminApi } from '#test/fixtures/admin-api-harness.ts';

/** A built console in memory, counting what was read. */
function aConsoleBuild(files: Record<string, string>): ConsoleAssetSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read: async (path) => {
      reads.push(path);
      const text = files[path];
      if (text === undefined) return undefined;
      const contentType = path.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8';
      return { bytes: Buffer.from(text), contentType } satisfies ConsoleAsset;
    },
  };
}

const get = (source: ConsoleAssetSource | undefined, path: string) =>
  handleRequest(
    { method: 'GET', path, headers: {}, query: {}, body: undefined },
    consoleRoutes(source === undefined ? {} : { consoleAssets: source }),
    silentLog,
  );

describe('admin API: the console page and assets', () => {
  it('serves the page as bytes with a policy that lets it load only its own files', async () => {
    const build = aConsoleBuild({ 'index.html': '<!doctype html><title>moomoo console</title>' });
    const result = functionUrlResultOf(await get(build, '/')) as Exclude<
      ReturnType<typeof functionUrlResultOf>,
      string
    >;
    expect(result).toMatchObject({ statusCode: 200, isBase64Encoded: true });
    expect(Buffer.from(result.body ?? '', 'base64').toString()).toBe('<!doctype html><title>moomoo console</title>');
    expect(result.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    expect(result.headers?.['content-security-policy']).toContain("script-src 'self'");
    expect(result.headers?.['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('serves a hashed asset for good, and no file outside the assets', async () => {
    const build = aConsoleBuild({ 'assets/main-3FQ2.js': 'console.log(1)', 'index.html': '<html>' });
    const asset = await get(build, '/assets/main-3FQ2.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers?.['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get(build, '/assets/main-0000.js')).statusCode).toBe(404);
    expect((await get(build, '/assets/..%2Findex.html')).statusCode).toBe(404);
    expect((await get(build, '/assets/.hidden')).statusCode).toBe(404);
    expect(build.reads).toEqual(['assets/main-3FQ2.js', 'assets/main-0000.js']);
  });

  it('answers 404 with what is missing when deployed without its console', async () => {
    const response = await get(undefined, '/');
    expect(response).toMatchObject({ statusCode: 404, body: { error: { code: 'console_unavailable' } } });
  });

  it('keeps the page out of the API description, and reads nothing for API requests', async () => {
    const harness = anAdminApi();
    expect(harness.api.routes.map((route) => route.path)).not.toContain('/');
    expect((await harness.request('GET', '/groups')).status).toBe(200);
    expect(isConsolePath('GET', '/')).toBe(true);
    expect(isConsolePath('GET', '/assets/main-3FQ2.js')).toBe(true);
    expect(isConsolePath('POST', '/')).toBe(false);
    expect(isConsolePath('GET', '/groups')).toBe(false);
    expect(isConsolePath('GET', '/assets/a/b.js')).toBe(false);
  });
});

describe('console assets in a directory', () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  it('reads each file once, with its media type, and nothing it does not know', async () => {
    directory = await mkdtemp(join(tmpdir(), 'moomoo-console-'));
    await writeFile(join(directory, 'index.html'), '<html>');
    await writeFile(join(directory, 'notes.txt'), 'secret');
    const source = consoleAssetDirectory(directory);
    expect(await source.read('index.html')).toMatchObject({ contentType: 'text/html; charset=utf-8' });
    await rm(join(directory, 'index.html'));
    // Kept from the first read: a build never changes under a running function.
    expect(await source.read('index.html')).toBeDefined();
    expect(await source.read('notes.txt')).toBeUndefined();
    expect(await source.read('assets/missing.js')).toBeUndefined();
  });
});
