import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '@zweck/db';
import type { InteractionKind } from '@zweck/segments/definition';
import { journeyEventSignal, type JourneyEventPayload } from '@zweck/workflows/contracts';
import { enrollOnEvent } from './journeys-runtime/triggers.ts';
import { scoreAndHandOff } from './routers/scoring/score-hook.ts';

/**
 * The one way something a person did enters the product: tracked opens and clicks, bounces and
 * complaints, purchases and attendance, and named events sent through the API. Each is written
 * as a row, then delivered to the person's running journey enrolments as a signal that carries
 * the row's ID and kind only. Every caller goes through here, so journeys and scoring see the
 * same events the segments count.
 */
export interface InteractionDeps {
  db: Db;
  temporal: Client;
  /** The suppression list's key: lead scoring asks the policy, whose facts include the suppression check. */
  suppressionKey: string;
  /** Where a handoff started by a score crossing the threshold runs; absent: the product's queue. */
  taskQueue?: string | undefined;
}

export interface RecordInteractionInput {
  contactId: string;
  kind: InteractionKind;
  occurredAt: Date;
  campaignId?: string | null;
  /** IDs and codes only (the template, the link's index, the SMTP status); never personal data. */
  details?: Record<string, string | number | boolean | null>;
}

export async function recordInteraction(deps: InteractionDeps, input: RecordInteractionInput): Promise<{ interactionId: string }> {
  const row = await deps.db.interaction.create({
    data: {
      contactId: input.contactId,
      kind: input.kind,
      occurredAt: input.occurredAt,
      campaignId: input.campaignId ?? null,
      details: input.details ?? {},
    },
    select: { id: true },
  });
  const interactionId = row.id.toString();
  await deliverToJourneys(deps, input.contactId, {
    type: 'interaction',
    kind: input.kind,
    interactionId,
    occurredAt: input.occurredAt.toISOString(),
  });
  // Lead scoring: the marketers' rules for this kind, each asking the policy (consent to profiling).
  await scoreAndHandOff(deps, { contactId: input.contactId, source: 'interaction', match: input.kind, sourceId: interactionId });
  return { interactionId };
}

export interface RecordContactEventInput {
  contactId: string;
  name: string;
  occurredAt: Date;
  details?: Record<string, string | number | boolean | null>;
}

/** Record a named event: it reaches the contact's running enrolments, then enrols the contact in the journeys it starts. */
export async function recordContactEvent(
  deps: InteractionDeps,
  input: RecordContactEventInput,
): Promise<{ eventId: string; enrolledIn: string[] }> {
  const row = await deps.db.contactEvent.create({
    data: { contactId: input.contactId, name: input.name, occurredAt: input.occurredAt, details: input.details ?? {} },
    select: { id: true },
  });
  const eventId = row.id.toString();
  await deliverToJourneys(deps, input.contactId, { type: 'event', name: input.name, eventId, occurredAt: input.occurredAt.toISOString() });
  await scoreAndHandOff(deps, { contactId: input.contactId, source: 'event', match: input.name, sourceId: eventId });
  // After delivering: the event that enrols a contact is not also the first event of its new enrolment.
  const enrolled = await enrollOnEvent(deps, input.contactId, { name: input.name, eventId });
  return { eventId, enrolledIn: enrolled.filter((e) => e.result.status === 'enrolled').map((e) => e.journeyId) };
}

/**
 * Signal every running enrolment of the contact. An enrolment that closed in the meantime is
 * skipped: its workflow has exited, and the event stays recorded for segments and statistics.
 */
export async function deliverToJourneys(deps: InteractionDeps, contactId: string, payload: JourneyEventPayload): Promise<number> {
  const enrollments = await deps.db.journeyEnrollment.findMany({
    where: { contactId, status: 'active' },
    select: { workflowId: true },
  });
  let delivered = 0;
  for (const { workflowId } of enrollments) {
    try {
      await deps.temporal.workflow.getHandle(workflowId).signal(journeyEventSignal, payload);
      delivered++;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) continue;
      throw error;
    }
  }
  return delivered;
}
