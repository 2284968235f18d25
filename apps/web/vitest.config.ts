import { defineTestConfig } from '@zweck/config/vitest';

const shared = {
  // Temporal's native bridge (in the worker the e2e setup starts) does not survive worker threads.
  pool: 'forks' as const,
  testTimeout: 120_000,
  hookTimeout: 180_000,
};

// The repository's shared settings (forks, a JSON report in .vitest/ for infra/test.sh's summary),
// with two projects, so that `vitest run --project unit` runs the pure tests without starting the
// whole system.
export default defineTestConfig({
  ...shared,
  projects: [
    {
      test: { ...shared, name: 'unit', include: ['src/**/*.test.ts', 'src/**/*.test.tsx'] },
    },
    {
      test: {
        ...shared,
        name: 'e2e',
        include: ['e2e/**/*.spec.ts'],
        // Starts API + worker against a fresh database and sets ZWECK_E2E_URL (unless it is set already).
        globalSetup: ['./e2e/global-setup.ts'],
      },
    },
  ],
});
