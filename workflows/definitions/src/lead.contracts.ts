import { defineQuery, defineSignal } from '@temporalio/workflow';
import { z } from 'zod';
import { ZChannel, ZPurposeId } from '@zweck/policy';

/**
 * Lead scoring and the handoff to sales. The handoff runs one workflow per contact at a time
 * (`handoff:<contactId>`): assign an owner, create the task, notify the rep, escalate to the
 * manager when the due time passes, and wait for the rep to accept or recycle.
 */
export const handoffWorkflowId = (contactId: string): string => `handoff:${contactId}`;

/** The purpose under which a lead goes to sales; seeded with the catalogue. */
export const SALES_FOLLOW_UP_PURPOSE_ID = 'sales_follow_up';
/** The purpose (consent) under which the product scores a person; seeded with the catalogue. */
export const LEAD_SCORING_PURPOSE_ID = 'lead_scoring';

export const ZHandoffTrigger = z.discriminatedUnion('kind', [
  /** The score crossed the threshold: the score change that did it. */
  z.object({ kind: z.literal('threshold'), scoreEventId: z.string().max(40) }),
  /** A journey's handoff step. */
  z.object({ kind: z.literal('journey'), enrollmentId: z.uuid(), stepId: z.string().max(40) }),
  /** A marketer handed the lead over by hand. */
  z.object({ kind: z.literal('manual'), userId: z.uuid() }),
]);
export type HandoffTrigger = z.infer<typeof ZHandoffTrigger>;

export const ZHandoffInput = z.object({
  version: z.literal(1),
  contactId: z.uuid(),
  purposeId: ZPurposeId,
  channel: ZChannel,
  trigger: ZHandoffTrigger,
});
export type HandoffInput = z.infer<typeof ZHandoffInput>;

export type HandoffOutcome =
  | { outcome: 'accepted'; leadId: string; ownerId: string }
  | { outcome: 'recycled'; leadId: string; ownerId: string }
  | { outcome: 'refused'; reasonCodes: string[] }
  | { outcome: 'no_owner' };

/**
 * A score change asked for by a journey step (the activity `applyScoreChange`). The activity
 * decides with the policy (action `profile`) under the step's purpose, records the decision, and
 * writes the change only if allowed.
 */
export const ZScoreChangeRequest = z.object({
  contactId: z.uuid(),
  purposeId: ZPurposeId,
  points: z.number().int().min(-1000).max(1000),
  reason: z.string().max(120),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('journey'), enrollmentId: z.uuid(), stepId: z.string().max(40) }),
    z.object({ kind: z.literal('rule'), ruleId: z.uuid(), interactionId: z.string().max(40) }),
  ]),
});
export type ScoreChangeRequest = z.infer<typeof ZScoreChangeRequest>;

export type ScoreChangeResult =
  { applied: true; scoreEventId: string; score: number; crossedThreshold: boolean } | { applied: false; reasonCodes: string[] };

/**
 * Why a rep sends a lead back to nurturing: a code, so that no free text travels in a signal.
 * packages/leads holds the same list; the activity's parameter type makes them agree.
 */
export const ZRecycleReason = z.enum(['not_ready', 'no_budget', 'no_response', 'not_decision_maker', 'no_fit']);
export type RecycleReasonCode = z.infer<typeof ZRecycleReason>;

/** The rep's answer, sent by the API after it checked that the user may answer for this lead. */
export const ZLeadAnswer = z.discriminatedUnion('action', [
  z.object({ action: z.literal('accept'), leadId: z.uuid(), userId: z.uuid() }),
  z.object({ action: z.literal('recycle'), leadId: z.uuid(), userId: z.uuid(), reason: ZRecycleReason }),
]);
export type LeadAnswer = z.infer<typeof ZLeadAnswer>;
export const leadAnswerSignal = defineSignal<[LeadAnswer]>('leadAnswer');

export interface HandoffState {
  phase: 'deciding' | 'waiting' | 'escalated' | 'done';
  leadId: string | null;
}
export const handoffStateQuery = defineQuery<HandoffState>('handoffState');
