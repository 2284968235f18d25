import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { contactErasureWorkflow, dataSubjectRequestWorkflow } from '@zweck/workflows';
import {
  dsrUpdatedSignal,
  dsrWorkflowId,
  erasureWorkflowId,
  TASK_QUEUE,
  type ContactErasureResult,
  type EraseContactInput,
} from '@zweck/workflows/contracts';

export interface DsrAutomationDeps {
  temporal: Client;
  taskQueue?: string | undefined;
  /** Days before the due date on which the DPO is reminded (DSR_REMINDER_DAYS). */
  reminderDays: number[];
}

/**
 * Start the request's workflow, or tell the running one that the request changed: one call for
 * both (signal-with-start), so that a change never goes unheard because a worker was down at
 * intake. The workflow reads the request again; only its ID goes in.
 */
export async function signalDsrUpdated(deps: DsrAutomationDeps, requestId: string): Promise<void> {
  await deps.temporal.workflow.signalWithStart<typeof dataSubjectRequestWorkflow, []>('dataSubjectRequestWorkflow', {
    taskQueue: deps.taskQueue ?? TASK_QUEUE,
    workflowId: dsrWorkflowId(requestId),
    args: [{ version: 1, requestId, reminderDays: deps.reminderDays }],
    signal: dsrUpdatedSignal,
    signalArgs: [],
  });
}

/** Start the erasure of the request's contact (slice E's workflow, `erasure:<contactId>`); IDs only. */
export async function startContactErasure(
  deps: Pick<DsrAutomationDeps, 'temporal' | 'taskQueue'>,
  input: EraseContactInput,
): Promise<'started' | 'already_started'> {
  try {
    await deps.temporal.workflow.start<typeof contactErasureWorkflow>('contactErasureWorkflow', {
      taskQueue: deps.taskQueue ?? TASK_QUEUE,
      workflowId: erasureWorkflowId(input.contactId),
      workflowIdConflictPolicy: 'FAIL',
      args: [input],
    });
    return 'started';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'already_started';
    throw error;
  }
}

/** The erasure workflow's state and, once it completed, its result with the verifier's report; null if never started. */
export async function erasureStatus(
  temporal: Client,
  contactId: string,
  timeoutMs = 3_000,
): Promise<{ status: string; result: ContactErasureResult | null } | null> {
  const handle = temporal.workflow.getHandle<typeof contactErasureWorkflow>(erasureWorkflowId(contactId));
  try {
    return await temporal.withDeadline(Date.now() + timeoutMs, async () => {
      const { status } = await handle.describe();
      if (status.name !== 'COMPLETED') return { status: status.name, result: null };
      return { status: status.name, result: await handle.result() };
    });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}
