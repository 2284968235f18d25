import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '@zweck/db';
import type { campaignWorkflow, consentReceiptWorkflow, welcomeWorkflow } from '@zweck/workflows';
import {
  campaignProgressQuery,
  campaignWorkflowId,
  cancelCampaignSignal,
  pauseCampaignSignal,
  resumeCampaignSignal,
  consentChangedSignal,
  consentReceiptWorkflowId,
  TASK_QUEUE,
  welcomeWorkflowId,
  type CampaignOutcome,
  type CampaignProgress,
  type ConsentReceiptInput,
  type WelcomeInput,
} from '@zweck/workflows/contracts';
import { signalJourneyConsentChanged } from './journeys-runtime/enrollment.ts';

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
 * Tell the contact's running workflows that the consent for this purpose changed: the welcome
 * workflow of the purpose asks the policy again before any further send (the activity would ask
 * anyway), and every active journey enrolment of the contact checks its exit rules (withdrawal,
 * objection) before its next step. 'no_workflow': neither runs.
 */
export async function signalConsentChanged(
  deps: { temporal: Client; db: Db },
  contactId: string,
  purposeId: string,
): Promise<'signalled' | 'no_workflow'> {
  const journeys = await signalJourneyConsentChanged(deps, contactId);
  try {
    await deps.temporal.workflow.getHandle(welcomeWorkflowId(contactId, purposeId)).signal(consentChangedSignal);
    return 'signalled';
  } catch (error) {
    // Closed (the deadline passed) or never started: the ledger already holds the confirmation.
    if (error instanceof WorkflowNotFoundError) return journeys > 0 ? 'signalled' : 'no_workflow';
    throw error;
  }
}

/**
 * Ask the worker to mail the person their consent receipts (the API never sends mail itself).
 * The workflow ID comes from the ledger entries: while one run is under way a second request is
 * refused here; a later one runs again, and the message's idempotency key (the same ID) makes
 * it find the mail already sent instead of sending it twice. Only IDs go in.
 */
export async function startConsentReceipt(
  temporal: Client,
  input: Omit<ConsentReceiptInput, 'version'>,
  taskQueue = TASK_QUEUE,
): Promise<'requested' | 'already_running'> {
  try {
    await temporal.workflow.start<typeof consentReceiptWorkflow>('consentReceiptWorkflow', {
      taskQueue,
      workflowId: consentReceiptWorkflowId(input.contactId, input.consentEventIds),
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      args: [{ version: 1, ...input }],
    });
    return 'requested';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'already_running';
    throw error;
  }
}

/**
 * End the welcome workflows of a record that no longer exists as such (merged into another), so
 * that none of them acts on a missing contact. The reason holds IDs only; the histories stay.
 */
export async function endWelcomes(temporal: Client, contactId: string, purposeIds: readonly string[], reason: string): Promise<number> {
  let ended = 0;
  for (const purposeId of purposeIds) {
    const handle = temporal.workflow.getHandle(welcomeWorkflowId(contactId, purposeId));
    try {
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') continue;
      await handle.terminate(reason);
      ended++;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) continue;
      throw error;
    }
  }
  return ended;
}

/**
 * Start a campaign's workflow. Its ID is the campaign's, and a campaign runs once: a second start,
 * while it runs or after it ended, is refused by Temporal and reported as 'already_started'.
 * Only the campaign's ID goes in; the workflow reads everything else through its activities.
 */
export async function startCampaignWorkflow(
  temporal: Client,
  campaignId: string,
  taskQueue = TASK_QUEUE,
): Promise<'started' | 'already_started'> {
  try {
    await temporal.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      taskQueue,
      workflowId: campaignWorkflowId(campaignId),
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      args: [{ version: 1, campaignId }],
    });
    return 'started';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'already_started';
    throw error;
  }
}

/** Whether a campaign's workflow was ever started (running or closed). */
export async function campaignWorkflowExists(temporal: Client, campaignId: string): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(campaignWorkflowId(campaignId)).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

const CAMPAIGN_SIGNALS = { pause: pauseCampaignSignal, resume: resumeCampaignSignal, cancel: cancelCampaignSignal } as const;
export type CampaignSignal = keyof typeof CAMPAIGN_SIGNALS;

/** Pause, resume or cancel a running campaign. 'no_workflow': none runs (never started, or already over). */
export async function signalCampaign(temporal: Client, campaignId: string, signal: CampaignSignal): Promise<'signalled' | 'no_workflow'> {
  try {
    await temporal.workflow.getHandle(campaignWorkflowId(campaignId)).signal(CAMPAIGN_SIGNALS[signal]);
    return 'signalled';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'no_workflow';
    throw error;
  }
}

/**
 * The running campaign's progress, as its workflow reports it. A query is answered by a worker:
 * when none answers within `timeoutMs` (the worker is down or busy) the caller gets null rather
 * than a page that hangs.
 */
export async function queryCampaignProgress(temporal: Client, campaignId: string, timeoutMs = 3_000): Promise<CampaignProgress | null> {
  try {
    return await temporal.withDeadline(Date.now() + timeoutMs, () =>
      temporal.workflow.getHandle(campaignWorkflowId(campaignId)).query(campaignProgressQuery),
    );
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

/** The reason codes a closed campaign workflow refused the campaign for; null when it did not refuse (or is not closed). */
export async function campaignRefusal(temporal: Client, campaignId: string, timeoutMs = 3_000): Promise<string[] | null> {
  const handle = temporal.workflow.getHandle<typeof campaignWorkflow>(campaignWorkflowId(campaignId));
  try {
    return await temporal.withDeadline(Date.now() + timeoutMs, async () => {
      const { status } = await handle.describe();
      // The refusal is written to the campaign row a moment before the workflow closes: ask it.
      if (status.name === 'RUNNING') {
        const progress = await handle.query(campaignProgressQuery);
        return progress.status === 'refused' ? progress.refusedFor : null;
      }
      if (status.name !== 'COMPLETED') return null;
      const result: CampaignOutcome = await handle.result();
      return result.outcome === 'refused' ? result.reasonCodes : null;
    });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}
