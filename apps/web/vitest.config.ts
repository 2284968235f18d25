import { defineConfig } from 'vitest/config';

const shared = {
  // Temporal's native bridge (started by the e2e global setup) needs separate processes.
  pool: 'forks' as const,
  testTimeout: 120_000,
  hookTimeout: 180_000,
};

export default defineConfig({
  test: {
    ...shared,
    // Two projects, so that `vitest run src` runs the pure tests without starting the whole system.
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
  },
});
