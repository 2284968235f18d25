import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Db } from '@zweck/db';
import { createDataConverter, type KeyRing } from '@zweck/temporal-codec';
import type { reviewWorkflow } from '@zweck/workflows';
import { reviewWorkflowId } from '@zweck/workflows/contracts';

/**
 * Every review that is not done has its workflow: the API starts one with each review, but
 * reviews written straight into the database (the demo seed, a restore from a backup) have none.
 * Run when the worker starts; a running workflow counts as success, so a second run starts nothing.
 */
export async function ensureReviewWorkflows(options: {
  db: Db;
  address: string;
  namespace: string;
  taskQueue: string;
  payloadKeys: KeyRing;
}): Promise<{ started: number; running: number }> {
  const reviews = await options.db.review.findMany({ where: { status: { not: 'done' } }, select: { id: true } });
  const connection = await Connection.connect({ address: options.address });
  try {
    const client = new Client({ connection, namespace: options.namespace, dataConverter: createDataConverter(options.payloadKeys) });
    let started = 0;
    let running = 0;
    for (const { id } of reviews) {
      try {
        await client.workflow.start<typeof reviewWorkflow>('reviewWorkflow', {
          taskQueue: options.taskQueue,
          workflowId: reviewWorkflowId(id),
          workflowIdConflictPolicy: 'FAIL',
          args: [{ version: 1, reviewId: id }],
        });
        started++;
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        running++;
      }
    }
    return { started, running };
  } finally {
    await connection.close();
  }
}
