import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { welcomeWorkflow } from '@zweck/workflows';
import { TASK_QUEUE, welcomeWorkflowId, type WelcomeInput } from '@zweck/workflows/contracts';

export type AutomationStart = 'started' | 'already_started' | 'not_started';

/**
 * Start the welcome workflow of a contact. The workflow ID comes from the contact and purpose,
 * and an ID already used is refused by Temporal: a double click, a retry, a second save start
 * one workflow. Only IDs go in: the address stays in the database.
 */
export async function startWelcome(
  temporal: Client,
  input: Omit<WelcomeInput, 'version'>,
  taskQueue = TASK_QUEUE,
): Promise<AutomationStart> {
  try {
    await temporal.workflow.start<typeof welcomeWorkflow>('welcomeWorkflow', {
      taskQueue,
      workflowId: welcomeWorkflowId(input.contactId, input.purposeId),
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{ version: 1, ...input }],
    });
    return 'started';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'already_started';
    throw error;
  }
}

export interface AutomationStatus {
  workflowId: string;
  status: string;
  startedAt: string | null;
  closedAt: string | null;
}

/** The state of the contact's welcome workflow, or null when none was started. */
export async function describeWelcome(temporal: Client, contactId: string, purposeId: string): Promise<AutomationStatus | null> {
  const workflowId = welcomeWorkflowId(contactId, purposeId);
  try {
    const description = await temporal.workflow.getHandle(workflowId).describe();
    return {
      workflowId,
      status: description.status.name,
      startedAt: description.startTime.toISOString(),
      closedAt: description.closeTime?.toISOString() ?? null,
    };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}
