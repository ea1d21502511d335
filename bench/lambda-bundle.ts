import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { lambdaBundleExtension, lambdaBundling } from '#infra/bundling.ts';

/** The repository root, where esbuild resolves `#shared/*` and `node_modules` as NodejsFunction does. */
export const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** What goes into a bundle: an entry file of the repository, or source text resolved from the repository root. */
export type BundleInput = { readonly entryFile: string } | { readonly source: string };

/** One bundle written to disk, with what it holds. */
export interface LambdaBundle {
  /** Absolute path of the `.mjs` file. */
  readonly file: string;
  readonly bytes: number;
  /** Bytes in the output per npm package (`zod`, `@aws-sdk/client-sqs`…); our own code is `(project)`. */
  readonly packageBytes: ReadonlyMap<string, number>;
}

/** Bundles the input exactly as the deployed functions are bundled (`lambdaBundling`) into `outdir/<name>.mjs`. */
export async function buildLambdaBundle(input: BundleInput, outdir: string, name: string): Promise<LambdaBundle> {
  const file = join(outdir, `${name}${lambdaBundleExtension}`);
  const result = await build({
    ...lambdaBundling,
    ...('entryFile' in input
      ? { entryPoints: [input.entryFile] }
      : { stdin: { contents: input.source, resolveDir: repoRoot, sourcefile: `${name}.ts`, loader: 'ts' as const } }),
    absWorkingDir: repoRoot,
    outfile: file,
    metafile: true,
    logLevel: 'error',
  });
  const output = outputOf(result.metafile, file);
  return { file, bytes: output.bytes, packageBytes: packageBytesOf(output) };
}

type MetafileOutput = Metafile['outputs'][string];

function outputOf(metafile: Metafile, file: string): MetafileOutput {
  const entry = Object.entries(metafile.outputs).find(([path]) => join(repoRoot, path) === file);
  if (entry === undefined) throw new Error(`esbuild reported no output ${file}`);
  return entry[1];
}

function packageBytesOf(output: MetafileOutput): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const name = packageNameOf(path);
    bytes.set(name, (bytes.get(name) ?? 0) + input.bytesInOutput);
  }
  return bytes;
}

/** `node_modules/@aws-sdk/client-sqs/dist-es/…` → `@aws-sdk/client-sqs`; a file of ours → `(project)`. */
function packageNameOf(inputPath: string): string {
  const parts = inputPath.split('node_modules/');
  const inPackage = parts.length > 1 ? (parts.at(-1) ?? '') : undefined;
  if (inPackage === undefined) return '(project)';
  const segments = inPackage.split('/');
  return (inPackage.startsWith('@') ? segments.slice(0, 2) : segments.slice(0, 1)).join('/');
}
