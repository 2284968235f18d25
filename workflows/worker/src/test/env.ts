import { join } from 'node:path';
import { TestWorkflowEnvironment, type TimeSkippingTestWorkflowEnvironmentOptions } from '@temporalio/testing';

const binDir = (): string => {
  const dir = process.env.ZWECK_BIN_DIR;
  if (!dir) throw new Error('ZWECK_BIN_DIR is not set: run the tests through infra/test.sh (it installs the Temporal binaries)');
  return dir;
};

/**
 * A real Temporal dev server of its own, started from the binary infra/temporal.sh installed
 * (the SDK's own download cannot reach Temporal's site from the build machines).
 */
export const createLocalTestEnv = (): Promise<TestWorkflowEnvironment> =>
  TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: join(binDir(), 'temporal') } } });

/**
 * The time-skipping test server: a 30-day wait passes in milliseconds. Time skips while a result
 * is awaited through `env.client`, so client options (a data converter) are given here.
 */
export const createTimeSkippingTestEnv = (
  client?: TimeSkippingTestWorkflowEnvironmentOptions['client'],
): Promise<TestWorkflowEnvironment> =>
  TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: join(binDir(), 'temporal-test-server') } },
    client,
  });
