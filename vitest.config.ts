import { defineConfig } from 'vitest/config';

/**
 * One project per kind of test:
 * - unit: pure code and fakes; no network, milliseconds.
 * - integration: adapters against a moto server started by the global setup (loopback only), files one at a time.
 * - infra: CDK `Template` assertions and cdk-nag, no AWS credentials.
 * - e2e: the whole sandbox (moto, local runtime, demo upstream) driven over HTTP.
 */
export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
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
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
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
