// A nurture journey, version 1: a trigger, a graph of steps and the rules that end an enrolment.
// Pure (zod, policy, the segment definition): the designer validates with the schema the API
// stores and the journey workflow interprets.
import { ZChannel, ZPurposeId } from '@zweck/policy';
import { ZCondition, ZInteractionKind, ZLifecycleStage } from '@zweck/segments/definition';
import { z } from 'zod';

export const MAX_STEPS = 100;
export const MAX_BRANCH_CONDITIONS = 10;
/** The longest single wait: a year. Longer pauses belong in a re-entry, not in one running workflow. */
export const MAX_WAIT_DAYS = 365;

/** A step's ID within its journey: stable across versions so that step statistics compare. */
export const ZStepId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a step id is lower-case letters, digits, "-" and "_" (at most 40)');
export type StepId = z.infer<typeof ZStepId>;

/** A named business event sent through the API (`webinar.registered`, `trial.started`). */
export const ZEventName = z.string().regex(/^[a-z][a-z0-9_.]{1,62}$/, 'an event name is lower-case letters, digits, "_" and "." (2 to 63)');

/** Where a step leads; null ends the enrolment as completed. */
const ZNext = ZStepId.nullable();

export const ZDuration = z
  .object({
    days: z.number().int().min(0).max(MAX_WAIT_DAYS),
    hours: z.number().int().min(0).max(23),
    minutes: z.number().int().min(0).max(59),
  })
  .refine((d) => d.days + d.hours + d.minutes > 0, { message: 'a wait lasts at least one minute' });
export type Duration = z.infer<typeof ZDuration>;

export const durationMs = (d: Duration): number => ((d.days * 24 + d.hours) * 60 + d.minutes) * 60_000;

/**
 * What a waiting step listens for: an interaction the product records (opened, clicked, bought…)
 * or a named event sent through the API. Only what happens after the wait began counts.
 */
export const ZJourneyEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('interaction'), kind: ZInteractionKind }),
  z.object({ type: z.literal('event'), name: ZEventName }),
]);
export type JourneyEvent = z.infer<typeof ZJourneyEvent>;

/** How a contact enters: entering a saved segment, confirming a hosted form of a purpose, or an API event. */
export const ZJourneyTrigger = z.discriminatedUnion('type', [
  z.object({ type: z.literal('segment_entry'), segmentId: z.uuid() }),
  z.object({ type: z.literal('form_submitted'), purposeId: ZPurposeId }),
  z.object({ type: z.literal('event'), name: ZEventName }),
]);
export type JourneyTrigger = z.infer<typeof ZJourneyTrigger>;

const stepBase = {
  id: ZStepId,
  /** The name the designer shows; the ID stays stable when it changes. */
  label: z.string().trim().max(80).optional(),
  /** The node's place on the designer's canvas; no meaning at run time. */
  position: z.object({ x: z.number().finite(), y: z.number().finite() }).optional(),
};

/** Send a template by e-mail under a purpose; `track` adds open and click tracking where consent covers it. */
export const ZSendStep = z.object({
  ...stepBase,
  type: z.literal('send'),
  templateId: z.uuid(),
  purposeId: ZPurposeId,
  channel: z.literal('email'),
  track: z.boolean(),
  next: ZNext,
});

export const ZWaitStep = z.object({ ...stepBase, type: z.literal('wait'), duration: ZDuration, next: ZNext });

/** Wait for an event, at most `timeout`: it continues at `onEvent` or, when time runs out, at `onTimeout`. */
export const ZWaitEventStep = z.object({
  ...stepBase,
  type: z.literal('wait_event'),
  event: ZJourneyEvent,
  timeout: ZDuration,
  onEvent: ZNext,
  onTimeout: ZNext,
});

/** Branch on segment conditions evaluated for this one contact when the step runs. */
export const ZBranchStep = z.object({
  ...stepBase,
  type: z.literal('branch'),
  match: z.enum(['all', 'any']),
  conditions: z.array(ZCondition).min(1).max(MAX_BRANCH_CONDITIONS),
  then: ZNext,
  else: ZNext,
});

/** Change the lead score (profiling: only with the person's consent to the purpose). */
export const ZScoreStep = z.object({
  ...stepBase,
  type: z.literal('score'),
  purposeId: ZPurposeId,
  points: z
    .number()
    .int()
    .min(-1000)
    .max(1000)
    .refine((p) => p !== 0, { message: 'a score step changes the score: give points other than 0' }),
  reason: z.string().trim().min(1).max(120),
  next: ZNext,
});

/** Hand the lead to sales under a purpose, for the channel sales will use. */
export const ZHandoffStep = z.object({ ...stepBase, type: z.literal('handoff'), purposeId: ZPurposeId, channel: ZChannel, next: ZNext });

/** End the enrolment here. */
export const ZExitStep = z.object({ ...stepBase, type: z.literal('exit') });

export const ZJourneyStep = z.discriminatedUnion('type', [
  ZSendStep,
  ZWaitStep,
  ZWaitEventStep,
  ZBranchStep,
  ZScoreStep,
  ZHandoffStep,
  ZExitStep,
]);
export type JourneyStep = z.infer<typeof ZJourneyStep>;
export type JourneyStepType = JourneyStep['type'];
export type SendStep = z.infer<typeof ZSendStep>;
export type WaitEventStep = z.infer<typeof ZWaitEventStep>;
export type BranchStep = z.infer<typeof ZBranchStep>;
export type ScoreStep = z.infer<typeof ZScoreStep>;
export type HandoffStep = z.infer<typeof ZHandoffStep>;

/**
 * What ends an enrolment besides its last step. Withdrawal (of the journey's purpose), objection,
 * restriction and erasure always end it: the law leaves no choice, so the schema leaves none, and
 * the designer shows them as fixed. Conversion (reaching a lifecycle stage) is the marketer's.
 */
export const ZExitRules = z.object({
  withdrawal: z.literal(true),
  objection: z.literal(true),
  restriction: z.literal(true),
  erasure: z.literal(true),
  conversion: z.object({ stages: z.array(ZLifecycleStage).min(1) }).nullable(),
});
export type ExitRules = z.infer<typeof ZExitRules>;

export const ZJourneyDefinition = z.object({
  version: z.literal(1),
  /** The purpose the journey as a whole runs under; its withdrawal ends every enrolment. */
  purposeId: ZPurposeId,
  trigger: ZJourneyTrigger,
  entryStepId: ZStepId,
  steps: z.array(ZJourneyStep).min(1).max(MAX_STEPS),
  exitRules: ZExitRules,
  /** A contact who left (or finished) may enter again on a later trigger. */
  allowReentry: z.boolean(),
});
export type JourneyDefinition = z.infer<typeof ZJourneyDefinition>;

/** Why an enrolment ended; stored on the enrolment and counted per journey. */
export const ZJourneyExitReason = z.enum([
  'completed', // reached a step whose next is null
  'exit_step', // reached an exit step
  'withdrew', // withdrew consent to the journey's purpose
  'objected', // objected to direct marketing (Art. 21)
  'restricted', // processing restricted (Art. 18)
  'erased', // erased, or erasure pending (Art. 17)
  'converted', // reached a conversion stage
  'cancelled', // staff ended it, or a merge moved the person
]);
export type JourneyExitReason = z.infer<typeof ZJourneyExitReason>;

/** The steps a step leads to, in the order the designer draws its handles. */
export function successorsOf(step: JourneyStep): (StepId | null)[] {
  switch (step.type) {
    case 'wait_event':
      return [step.onEvent, step.onTimeout];
    case 'branch':
      return [step.then, step.else];
    case 'exit':
      return [];
    default:
      return [step.next];
  }
}

/** The purposes a definition names (the journey's own and each step's), for checks against the catalogue. */
export function purposeIdsOfJourney(definition: JourneyDefinition): string[] {
  const ids = new Set<string>([definition.purposeId]);
  if (definition.trigger.type === 'form_submitted') ids.add(definition.trigger.purposeId);
  for (const step of definition.steps) {
    if (step.type === 'send' || step.type === 'score' || step.type === 'handoff') ids.add(step.purposeId);
  }
  return [...ids];
}
