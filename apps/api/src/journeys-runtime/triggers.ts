import { WorkflowNotFoundError } from '@temporalio/client';
import type { journeySegmentTriggerWorkflow } from '@zweck/workflows';
import { journeyTriggerWorkflowId, stopJourneyTriggerSignal, TASK_QUEUE, wakeJourneyTriggerSignal } from '@zweck/workflows/contracts';
import { enrollContact, journeysTriggeredBy, latestPublishedVersion, type EnrollResult, type JourneyRuntimeDeps } from './enrollment.ts';

/**
 * The three ways in: a named event sent through the API, a confirmed hosted-form subscription
 * (double opt-in) of a purpose, and entering a segment (a trigger workflow in the worker). A
 * refusal (already enrolled, no re-entry, contact not active) is an answer, not an error: the
 * trigger fired and the journey's rules said no.
 */

export interface TriggeredEnrollment {
  journeyId: string;
  result: EnrollResult;
}

/** Enrol the contact in every active journey that starts on this event (called by `recordContactEvent`). */
export async function enrollOnEvent(
  deps: JourneyRuntimeDeps,
  contactId: string,
  event: { name: string; eventId: string },
): Promise<TriggeredEnrollment[]> {
  const journeyIds = await journeysTriggeredBy(deps.db, { type: 'event', name: event.name });
  const results: TriggeredEnrollment[] = [];
  for (const journeyId of journeyIds) {
    results.push({ journeyId, result: await enrollContact(deps, journeyId, contactId, { kind: 'event', eventId: event.eventId }) });
  }
  return results;
}

/** Enrol the contact in every active journey that starts when a hosted form of this purpose is confirmed. */
export async function enrollOnFormConfirmed(
  deps: JourneyRuntimeDeps,
  contactId: string,
  purposeId: string,
): Promise<TriggeredEnrollment[]> {
  const journeyIds = await journeysTriggeredBy(deps.db, { type: 'form_submitted', purposeId });
  const results: TriggeredEnrollment[] = [];
  for (const journeyId of journeyIds) {
    results.push({ journeyId, result: await enrollContact(deps, journeyId, contactId, { kind: 'form_submitted', purposeId }) });
  }
  return results;
}

/**
 * After publishing (or resuming) a journey: a segment-entry journey gets its trigger workflow,
 * started if none runs and woken for a pass now if one does; any other journey has none, and a
 * trigger left from an earlier version is stopped. Call it whenever a journey's status or
 * published version changes.
 */
export async function activateJourneyTriggers(
  deps: JourneyRuntimeDeps,
  journeyId: string,
  /** For a trigger this call starts: members per page and minutes between passes (defaults 100 and 15). */
  tuning: { pageSize?: number; intervalMinutes?: number } = {},
): Promise<'segment_trigger_running' | 'no_trigger'> {
  const journey = await latestPublishedVersion(deps.db, journeyId);
  const trigger = journey?.version?.definition.trigger;
  if (journey?.status !== 'active' || trigger?.type !== 'segment_entry') {
    await deactivateJourneyTriggers(deps, journeyId);
    return 'no_trigger';
  }
  // Starts the trigger, or signals the running one: one call, no race between "is it running?" and "start".
  await deps.temporal.workflow.signalWithStart<typeof journeySegmentTriggerWorkflow>('journeySegmentTriggerWorkflow', {
    taskQueue: deps.taskQueue ?? TASK_QUEUE,
    workflowId: journeyTriggerWorkflowId(journeyId),
    args: [{ version: 1, journeyId, ...tuning }],
    signal: wakeJourneyTriggerSignal,
  });
  return 'segment_trigger_running';
}

/** When a journey is paused or archived: its segment trigger stops after the page under way. Enrolments run on. */
export async function deactivateJourneyTriggers(deps: JourneyRuntimeDeps, journeyId: string): Promise<'stopped' | 'not_running'> {
  try {
    await deps.temporal.workflow.getHandle(journeyTriggerWorkflowId(journeyId)).signal(stopJourneyTriggerSignal);
    return 'stopped';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'not_running';
    throw error;
  }
}
