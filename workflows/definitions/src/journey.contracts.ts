import { defineQuery, defineSignal } from '@temporalio/workflow';
import { z } from 'zod';

/**
 * A nurture journey: one workflow per enrolled contact, interpreting the journey version the
 * contact entered (contacts already enrolled finish their version when a new one is published).
 * IDs only: the definition is read by an activity, never passed in.
 */
export const journeyWorkflowId = (journeyId: string, contactId: string): string => `journey:${journeyId}:${contactId}`;

export const ZJourneyInput = z.object({
  version: z.literal(1),
  enrollmentId: z.uuid(),
  journeyVersionId: z.uuid(),
  contactId: z.uuid(),
  /** Set by continue-as-new: the step to resume at. Absent: the version's entry step. */
  resumeAt: z.string().max(40).optional(),
  /** History events after which the run continues as new (default 2,000); tests set it low. */
  historyLimit: z.number().int().min(100).max(10_000).optional(),
});
export type JourneyInput = z.infer<typeof ZJourneyInput>;

/**
 * Something the contact did, delivered to their running enrolments: an interaction the product
 * recorded, or a named event sent through the API. It carries the row's ID and its kind or name,
 * never its content.
 */
export const ZJourneyEventPayload = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('interaction'),
    kind: z.string().max(40),
    interactionId: z.string().max(40),
    occurredAt: z.iso.datetime({ offset: true }),
  }),
  z.object({
    type: z.literal('event'),
    name: z.string().max(63),
    eventId: z.string().max(40),
    occurredAt: z.iso.datetime({ offset: true }),
  }),
]);
export type JourneyEventPayload = z.infer<typeof ZJourneyEventPayload>;

export const journeyEventSignal = defineSignal<[JourneyEventPayload]>('journeyEvent');
/** Staff ended the enrolment (or a merge moved the contact): it exits as `cancelled`. */
export const cancelJourneySignal = defineSignal('cancelJourney');

export interface JourneyPosition {
  stepId: string | null;
  /** When a waiting step gives up, for the contact page. */
  waitingUntil: string | null;
}
export const journeyPositionQuery = defineQuery<JourneyPosition>('journeyPosition');

export type JourneyOutcome = { outcome: 'exited'; reason: string; atStepId: string | null };

/**
 * The idempotency key of a journey's send step: one (enrolment, step) pair sends at most one
 * message, enforced by the mail log's unique key; its Message-ID is derived from it.
 */
export const journeyStepIdempotencyKey = (enrollmentId: string, stepId: string): string => `journey:${enrollmentId}:${stepId}`;
