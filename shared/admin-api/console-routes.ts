import type { ApiResponse } from '#shared/admin-api/api-error.ts';
import { defineRoute, json, type Route } from '#shared/admin-api/route.ts';

/** One file of the built console: its bytes and media type. */
export interface ConsoleAsset {
  readonly bytes: Uint8Array;
  readonly contentType: string;
}

/**
 * Where the built console comes from: `index.html` and the content-hashed files under `assets/`. Read on the first
 * request for a console path, never at a cold start, so API requests do not pay for the page.
 */
export interface ConsoleAssetSource {
  /** The file at this path relative to the build (`index.html`, `assets/main-3FQ2.js`), or undefined. */
  read(path: string): Promise<ConsoleAsset | undefined>;
}

/** What the console routes need; without a source, `GET /` answers 404 and says how to get the console. */
export interface ConsoleRouteDeps {
  readonly consoleAssets?: ConsoleAssetSource;
}

/** A content-hashed asset name: letters, digits, dots, dashes and underscores only, so no path can escape. */
const assetNamePattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * The page itself may only load its own files and call its own origin: no inline script, no other host, no frame.
 * Preact sets styles through the CSSOM, which `style-src 'self'` allows.
 */
const pageHeaders: Readonly<Record<string, string>> = {
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** A hashed name changes with its content, so a browser may keep it for good. */
const assetHeaders: Readonly<Record<string, string>> = {
  'cache-control': 'public, max-age=31536000, immutable',
  'x-content-type-options': 'nosniff',
};

/**
 * `GET /` (the console's one page) and `GET /assets/{file}` (its scripts and styles). They hold no data: every call
 * the page makes goes through the API routes and their auth. The page routes itself with hash routes
 * (`/#/runs/{runId}`), so no console path can shadow a JSON route. Kept out of the OpenAPI document.
 */
export function consoleRoutes(deps: ConsoleRouteDeps): Route[] {
  const serve = async (path: string, headers: Readonly<Record<string, string>>): Promise<ApiResponse> => {
    if (deps.consoleAssets === undefined) {
      return json(404, {
        error: { code: 'console_unavailable', message: 'this admin API was deployed without its console' },
      });
    }
    const asset = await deps.consoleAssets.read(path);
    if (asset === undefined) return json(404, { error: { code: 'not_found', message: `no console file ${path}` } });
    return { statusCode: 200, headers: { 'content-type': asset.contentType, ...headers }, body: asset.bytes };
  };
  return [
    defineRoute({
      method: 'GET',
      path: '/',
      operationId: 'getConsole',
      summary: 'The web console (HTML)',
      handle: () => serve('index.html', pageHeaders),
    }),
    defineRoute<{ file: string }>({
      method: 'GET',
      path: '/assets/{file}',
      operationId: 'getConsoleAsset',
      summary: "A script or stylesheet of the web console, named by its content's hash",
      handle: async ({ params }) =>
        assetNamePattern.test(params.file) && !params.file.includes('..')
          ? serve(`assets/${params.file}`, assetHeaders)
          : json(404, { error: { code: 'not_found', message: `no console file ${params.file}` } }),
    }),
  ];
}

/** Whether a request is for the console's page or assets, which need no credentials (they hold no data). */
export function isConsolePath(method: string, path: string): boolean {
  return method.toUpperCase() === 'GET' && (path === '/' || /^\/assets\/[^/]+$/.test(path));
}
