import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { handoffWorkflow } from '@zweck/workflows';
import { handoffWorkflowId, SALES_FOLLOW_UP_PURPOSE_ID, TASK_QUEUE, type HandoffTrigger } from '@zweck/workflows/contracts';

/**
 * Start the handoff of a contact to sales. One handoff runs per contact at a time (the workflow
 * ID derives from the contact): a second crossing, a double click or a journey step while one
 * runs counts as already started. A closed handoff may run again (after a recycle). IDs only.
 */
export async function startHandoff(
  temporal: Client,
  contactId: string,
  trigger: HandoffTrigger,
  taskQueue: string = TASK_QUEUE,
): Promise<'started' | 'already_started'> {
  try {
    await temporal.workflow.start<typeof handoffWorkflow>('handoffWorkflow', {
      taskQueue,
      workflowId: handoffWorkflowId(contactId),
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      args: [{ version: 1, contactId, purposeId: SALES_FOLLOW_UP_PURPOSE_ID, channel: 'email', trigger }],
    });
    return 'started';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'already_started';
    throw error;
  }
}
