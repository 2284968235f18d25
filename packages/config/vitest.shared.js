import { defineConfig } from 'vitest/config';

/**
 * The test settings every package shares. `forks` because Temporal's native bridge does not
 * survive worker threads; a JSON report per package so that infra/test.sh can print one
 * "N passed, N failed" line for the whole run. Plain JavaScript: config files load it before
 * any TypeScript transform exists.
 *
 * @param {import('vitest/config').ViteUserConfig['test']} [test]
 */
export function defineTestConfig(test = {}) {
  return defineConfig({
    test: {
      pool: 'forks',
      // Real servers under a loaded CI machine (2 cores, suites running side by side) start slowly.
      testTimeout: 60_000,
      hookTimeout: 180_000,
      include: ['src/**/*.test.ts'],
      reporters: ['default', 'json'],
      outputFile: { json: '.vitest/results.json' },
      ...test,
    },
  });
}
