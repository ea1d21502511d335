import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ConsoleAsset, ConsoleAssetSource } from '#shared/admin-api/console-routes.ts';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The built console in a directory (`console/build.ts` writes it): each file read on its first request and kept,
 * since a build never changes under a running function; a missing file is asked for again next time.
 */
export function consoleAssetDirectory(directory: string): ConsoleAssetSource {
  const cache = new Map<string, Promise<ConsoleAsset | undefined>>();
  const load = async (path: string): Promise<ConsoleAsset | undefined> => {
    const contentType = contentTypes[extname(path)];
    if (contentType === undefined) return undefined;
    try {
      return { bytes: await readFile(join(directory, path)), contentType };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  return {
    read: async (path) => {
      let asset = cache.get(path);
      if (asset === undefined) {
        asset = load(path);
        cache.set(path, asset);
      }
      const found = await asset.catch((error: unknown) => {
        cache.delete(path);
        throw error;
      });
      if (found === undefined) cache.delete(path);
      return found;
    },
  };
}
