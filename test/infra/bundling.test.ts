import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaBundleExtension, lambdaBundling } from '#infra/bundling.ts';
import { MoomooFunction } from '#infra/constructs/moomoo-function.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const entryNames = readdirSync(join(repoRoot, 'functions'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.replace(/\.ts$/, ''));
const outdirs: string[] = [];

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function temporaryDirectory(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'moomoo-bundling-'));
  outdirs.push(outdir);
  return outdir;
}

interface Bundle {
  readonly code: string;
  readonly packages: ReadonlySet<string>;
}

const bundles = new Map<string, Promise<Bundle>>();

/** The entry bundled by esbuild's JS API with `lambdaBundling`, once: its code and the npm packages in it. */
function bundleOf(entryName: string): Promise<Bundle> {
  const bundle = bundles.get(entryName) ?? buildBundle(entryName);
  bundles.set(entryName, bundle);
  return bundle;
}

async function buildBundle(entryName: string): Promise<Bundle> {
  const outfile = join(temporaryDirectory(), `index${lambdaBundleExtension}`);
  const result = await build({
    ...lambdaBundling,
    entryPoints: [join(repoRoot, 'functions', `${entryName}.ts`)],
    absWorkingDir: repoRoot,
    outfile,
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  const code = result.outputFiles.find((file) => file.path === outfile)?.text ?? '';
  const inputs = Object.values(result.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0),
  );
  const packages = new Set(
    inputs
      .map(([path]) => /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? '')
      .filter((name) => name !== ''),
  );
  return { code, packages };
}

async function entriesHolding(packageName: string): Promise<string[]> {
  const holders: string[] = [];
  for (const entryName of entryNames) {
    if ((await bundleOf(entryName)).packages.has(packageName)) holders.push(entryName);
  }
  return holders.sort();
}

describe('lambdaBundling', () => {
  it('is what NodejsFunction bundles a function with', async () => {
    const outdir = temporaryDirectory();
    const app = new App({ outdir });
    const stack = new Stack(app, 'BundlingProbe');
    new MoomooFunction(stack, 'Probe', { entryName: 'sync-schedules', description: 'probe' });
    const assembly = app.synth();

    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const s3Keys = functions.map((fn) => (fn.Properties as { Code: { S3Key: string } }).Code.S3Key);
    expect(s3Keys).toHaveLength(1);
    const assetDirectory = `asset.${s3Keys[0]?.replace(/\.zip$/, '')}`;
    const deployed = readFileSync(join(assembly.directory, assetDirectory, 'index.mjs'), 'utf8');
    // Digests keep a failure readable: the bundles are one minified line each.
    expect(sha256(deployed)).toBe(sha256((await bundleOf('sync-schedules')).code));
  });

  it('bundles yahoo-finance2 only where Yahoo is fetched', async () => {
    expect(await entriesHolding('yahoo-finance2')).toEqual(['fetch-yahoo-job']);
  });

  it('bundles the Secrets Manager client only where the J-Quants key is read', async () => {
    expect(await entriesHolding('@aws-sdk/client-secrets-manager')).toEqual([
      'fetch-jquants-job',
      'handle-admin-request',
    ]);
  });
});
