import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/**
 * How every Lambda entry is bundled, in esbuild's own terms: one minified ESM file for Node 24 with a linked source
 * map. The construct hands it to NodejsFunction (`nodejsFunctionBundling`) and the bundles benchmark to esbuild's
 * JS API, so the bundle that is measured is the bundle that is deployed.
 */
export const lambdaBundling = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Runtime.NODEJS_24_X in the construct.
  target: 'node24',
  mainFields: ['module', 'main'],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: {
    js: "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);",
  },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // We pin our own AWS SDK v3 clients instead of using whatever version the runtime ships.
  external: [],
} satisfies BuildOptions;

/** The extension NodejsFunction gives an ESM bundle (`index.mjs`); Node loads it as a module wherever it lies. */
export const lambdaBundleExtension = '.mjs';

/** `NODE_OPTIONS` of every function: the runtime applies the bundle's source map to stack traces. */
export const lambdaNodeOptions = '--enable-source-maps';

const outputFormats = { esm: OutputFormat.ESM, cjs: OutputFormat.CJS } as const;

/** `lambdaBundling` as NodejsFunction's bundling props (it always bundles for the node platform). */
export const nodejsFunctionBundling: BundlingOptions = {
  format: outputFormats[lambdaBundling.format],
  target: lambdaBundling.target,
  mainFields: lambdaBundling.mainFields,
  banner: lambdaBundling.banner.js,
  minify: lambdaBundling.minify,
  sourceMap: lambdaBundling.sourcemap,
  sourcesContent: lambdaBundling.sourcesContent,
  externalModules: lambdaBundling.external,
};
