import { randomBytes } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop } from 'esbuild';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** Where `npm start` and the tests build the console: ignored by git. */
export const defaultConsoleOutdir = join(repoRoot, 'console', 'dist');

/** A built console: the page and the hashed asset names it loads. */
export interface ConsoleBuild {
  readonly outdir: string;
  /** Paths relative to `outdir`: `assets/main-<hash>.js`, `assets/main-<hash>.css`. */
  readonly assets: readonly string[];
}

/**
 * Bundles the console (preact, TSX) with esbuild into `outdir`: `index.html` and content-hashed `assets/*`. Every
 * file is written under a temporary name and renamed into place, and hashed files never change, so builds running
 * at once (a sandbox and a test) and a server reading meanwhile all see whole files; the page is renamed last.
 */
export async function buildConsole(outdir: string = defaultConsoleOutdir): Promise<ConsoleBuild> {
  let result: Awaited<ReturnType<typeof bundle>>;
  try {
    result = await bundle(outdir);
  } finally {
    // esbuild keeps a service process for further builds: a sandbox builds once, and leaves none behind.
    await stop();
  }
  await mkdir(join(outdir, 'assets'), { recursive: true });
  const assets: string[] = [];
  for (const file of result.outputFiles) {
    const name = relative(outdir, file.path);
    assets.push(name);
    // A hashed name already on disk holds these very bytes.
    if (!(await exists(file.path))) await writeWhole(file.path, file.contents);
  }
  const script = assets.find((name) => name.endsWith('.js'));
  const style = assets.find((name) => name.endsWith('.css'));
  if (script === undefined || style === undefined) throw new Error('the console build made no script or stylesheet');
  await writeWhole(join(outdir, 'index.html'), pageOf(script, style));
  return { outdir, assets };
}

function bundle(outdir: string) {
  return build({
    entryPoints: [join(repoRoot, 'console', 'src', 'main.tsx')],
    absWorkingDir: repoRoot,
    outdir: join(outdir, 'assets'),
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'error',
  });
}

function pageOf(script: string, style: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>moomoo console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/${style}">
<script type="module" src="/${script}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The moomoo console needs JavaScript; the admin API and the moomoo CLI work without it.</noscript>
</body>
</html>
`;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function writeWhole(path: string, contents: string | Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

// `node console/build.ts [outdir]`: builds the console, e.g. beside a Lambda bundle.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildConsole(process.argv[2] ?? defaultConsoleOutdir);
  console.log(`console built into ${built.outdir}: index.html, ${built.assets.join(', ')}`);
}
