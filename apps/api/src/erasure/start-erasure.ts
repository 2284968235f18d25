import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '@zweck/db';
import type { contactErasureWorkflow } from '@zweck/workflows';
import {
  erasureWorkflowId,
  TASK_QUEUE,
  ZEraseContactInput,
  type ContactErasureResult,
  type EraseContactInput,
} from '@zweck/workflows/contracts';
import { audit } from '../audit.ts';

export interface ErasureStartDeps {
  db: Db;
  temporal: Client;
  taskQueue?: string;
}

/**
 * Starts the erasure of a contact across every store (Art. 17 GDPR): `erasure:<contactId>`, IDs
 * only in its input. The contact is marked `erasure_pending` at once, so that nothing processes it
 * while the workflow runs. A second start while one runs counts as already started; a finished
 * erasure may run again (it finds its work done and verifies again).
 */
export async function startErasure(
  deps: ErasureStartDeps,
  rawInput: EraseContactInput,
): Promise<{ workflowId: string; status: 'started' | 'already_started' }> {
  const input = ZEraseContactInput.parse(rawInput);
  const workflowId = erasureWorkflowId(input.contactId);
  await deps.db.contact.updateMany({
    where: { id: input.contactId, status: { in: ['active', 'restricted'] } },
    data: { status: 'erasure_pending' },
  });
  try {
    await deps.temporal.workflow.start<typeof contactErasureWorkflow>('contactErasureWorkflow', {
      taskQueue: deps.taskQueue ?? TASK_QUEUE,
      workflowId,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      args: [input],
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, status: 'already_started' };
    throw error;
  }
  await audit(deps.db, {
    actor: input.actor,
    action: 'contact.erasure_started',
    entityType: 'contact',
    entityId: input.contactId,
    details: { mode: input.mode, cause: input.cause.kind, workflowId },
  });
  return { workflowId, status: 'started' };
}

/** Waits for the erasure's result (the outcome and the verifier's report); null when none was started. */
export async function awaitErasure(temporal: Client, contactId: string): Promise<ContactErasureResult | null> {
  try {
    return await temporal.workflow.getHandle<typeof contactErasureWorkflow>(erasureWorkflowId(contactId)).result();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}
