import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { welcomeWorkflow } from '@zweck/workflows';
import { consentChangedSignal, TASK_QUEUE, welcomeWorkflowId, type WelcomeInput } from '@zweck/workflows/contracts';

export type AutomationStart = 'started' | 'already_started' | 'not_started';

/**
 * Start the welcome workflow of a contact. The workflow ID comes from the contact and purpose,
 * and Temporal refuses a second start while one runs: a double click, a retry, a second save
 * start one workflow. A closed one may run again (a new subscription after an expired double
 * opt-in); the welcome mail itself is idempotent per contact and purpose. Only IDs go in.
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
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
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

/**
 * Tell the contact's running welcome workflow that the consent for this purpose changed, so that
 * it asks the policy again before any further send (the activity would ask anyway).
 */
export async function signalConsentChanged(temporal: Client, contactId: string, purposeId: string): Promise<'signalled' | 'no_workflow'> {
  try {
    await temporal.workflow.getHandle(welcomeWorkflowId(contactId, purposeId)).signal(consentChangedSignal);
    return 'signalled';
  } catch (error) {
    // Closed (the deadline passed) or never started: the ledger already holds the confirmation.
    if (error instanceof WorkflowNotFoundError) return 'no_workflow';
    throw error;
  }
}
