import { createRequire } from 'node:module';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '@zweck/activities';
import { createDataConverter, type ContactScope, type KeyRing } from '@zweck/temporal-codec';
import { TASK_QUEUE } from '@zweck/workflows/contracts';

const require = createRequire(import.meta.url);

/** The workflow entry file, resolved through the package's exports (no deep paths). */
export const workflowsPath = require.resolve('@zweck/workflows');

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  deps: ActivityDeps;
  /** Payload encryption keys; the API's client must use the same ring. */
  payloadKeys: KeyRing;
  /** Seal per-contact workflows' payloads with the contact's own key (createContactScope); the API's client needs the same. */
  contactScope?: ContactScope;
  /** A prebuilt bundle: a file (`pnpm --filter @zweck/worker build`) or code; without it the worker bundles at start. */
  workflowBundle?: { codePath: string } | { code: string };
  overrides?: Partial<WorkerOptions>;
}

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    activities: createActivities(options.deps),
    dataConverter: createDataConverter(options.payloadKeys, options.contactScope),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    // A graceful stop lets in-flight activities finish (a send completes and is recorded).
    shutdownGraceTime: '30 seconds',
    ...options.overrides,
  });
}
