/**
 * The zod every module imports: `import * as z from '#shared/zod.ts'`.
 *
 * It is zod's tree-shakable `zod/mini` API (`z.optional(z.string().check(z.minLength(1)))` rather than
 * `z.string().min(1).optional()`) with zod's English messages. Classic zod puts ~100 KB in every Lambda bundle and
 * builds a method table on every schema; zod/mini ships only what a bundle uses and builds schemas faster, which is
 * most of what kept our cold starts near their floor (docs/decisions.md). Messages and JSON Schema come from the
 * same zod core either way.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
/**
 * What a `parse` throws. Use `z.$ZodError`, never `z.core.$ZodError` in code that runs: reading the `core` namespace
 * at runtime makes esbuild keep all of zod core (every locale, the JSON Schema generator), four times the bundle.
 */
export { $ZodError } from 'zod/v4/core';
