import { defineConfig } from 'vitest/config';

/**
 * One project per kind of test:
 * - unit: pure code and fakes; no network, milliseconds.
 * - integration: adapters against a moto server started by the global setup (loopback only), files one at a time.
 * - infra: CDK `Template` assertions and cdk-nag, no AWS credentials.
 * - e2e: the whole sandbox (moto, local runtime, demo upstream) driven over HTTP.
 *
 * Output stays quiet: what a test logs is shown only when it fails (`silent: 'passed-only'`). Powertools writes to
 * the console vitest captures only in its dev mode, so every project sets `POWERTOOLS_DEV`.
 */
const env = { POWERTOOLS_DEV: 'true' };

export default defineConfig({
  test: {
    silent: 'passed-only',
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          env,
        },
      },
      {
        test: {
          name: 'integration',
          env,
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/moto-global-setup.ts'],
          setupFiles: ['test/setup/moto-per-file.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'infra',
          env,
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          env,
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/setup/moto-global-setup.ts'],
          setupFiles: ['test/setup/moto-per-file.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
