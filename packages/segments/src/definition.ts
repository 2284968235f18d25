// The segment definition: pure (zod and @zweck/policy only), so that the admin UI validates the
// builder's form with the very schema the API stores and the compiler reads.
import { ZChannel, ZFieldKey, ZPurposeId } from '@zweck/policy';
import { z } from 'zod';

export const ZLifecycleStage = z.enum(['subscriber', 'lead', 'marketing_qualified', 'sales_qualified', 'customer']);
export type LifecycleStage = z.infer<typeof ZLifecycleStage>;

export const ZInteractionKind = z.enum(['opened', 'clicked', 'attended', 'bought', 'complained', 'bounced', 'form_submitted']);
export type InteractionKind = z.infer<typeof ZInteractionKind>;

export const FIELD_OPS = ['equals', 'not_equals', 'contains', 'starts_with', 'is_set', 'is_not_set'] as const;
export const ZFieldOp = z.enum(FIELD_OPS);
export type FieldOp = z.infer<typeof ZFieldOp>;
/** The field operators that compare with a value; `is_set` and `is_not_set` take none. */
export const opNeedsValue = (op: FieldOp): boolean => op !== 'is_set' && op !== 'is_not_set';

/** What a consent condition can ask about: the state of the latest ledger event, or none at all. */
export const ZConsentCondStatus = z.enum(['granted', 'confirmed', 'withdrawn', 'expired', 'none']);
export type ConsentCondStatus = z.infer<typeof ZConsentCondStatus>;

/** Longest look-back of an interaction or creation condition: ten years. */
export const MAX_DAYS = 3650;
export const MAX_CONDITIONS = 20;
export const MAX_VALUE_LENGTH = 200;

const ZDays = z.number().int().min(1).max(MAX_DAYS);

/**
 * A catalogue field compared with a value. Comparisons ignore case; `not_equals` also matches
 * contacts without a value; `contains` and `starts_with` take the value literally (no wildcards).
 */
export const ZFieldCondition = z
  .object({
    type: z.literal('field'),
    field: ZFieldKey,
    op: ZFieldOp,
    value: z.string().trim().min(1).max(MAX_VALUE_LENGTH).optional(),
  })
  .superRefine((cond, ctx) => {
    if (opNeedsValue(cond.op) && cond.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `"${cond.op}" compares with a value: enter one` });
    }
    if (!opNeedsValue(cond.op) && cond.value !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `"${cond.op}" takes no value` });
    }
  });

export const ZLifecycleCondition = z.object({
  type: z.literal('lifecycle'),
  stages: z.array(ZLifecycleStage).min(1).max(ZLifecycleStage.options.length),
});

/**
 * What the person did: `at_least` `count` times (default 1), or `none`, optionally only within the
 * last `withinDays` days.
 */
export const ZInteractionCondition = z
  .object({
    type: z.literal('interaction'),
    kind: ZInteractionKind,
    op: z.enum(['at_least', 'none']),
    count: z.number().int().min(1).max(1000).optional(),
    withinDays: ZDays.optional(),
  })
  .superRefine((cond, ctx) => {
    if (cond.op === 'none' && cond.count !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['count'], message: '"none" takes no count' });
    }
  });

/**
 * The state of the latest ledger event of one purpose and channel ('none': no event). A filter for
 * choosing an audience, not a decision: the send gate and the preview decide with the policy's
 * full ledger fold (objections, double opt-in, the existing-customer exception) anyway.
 */
export const ZConsentCondition = z.object({
  type: z.literal('consent'),
  purposeId: ZPurposeId,
  channel: ZChannel,
  status: z.array(ZConsentCondStatus).min(1).max(ZConsentCondStatus.options.length),
});

/** When the contact was created: within the last `withinDays` days and/or more than `olderThanDays` days ago. */
export const ZCreatedCondition = z
  .object({
    type: z.literal('created'),
    withinDays: ZDays.optional(),
    olderThanDays: ZDays.optional(),
  })
  .superRefine((cond, ctx) => {
    if (cond.withinDays === undefined && cond.olderThanDays === undefined) {
      ctx.addIssue({ code: 'custom', path: ['withinDays'], message: 'give "within days", "older than days", or both' });
    }
  });

export const ZCondition = z.discriminatedUnion('type', [
  ZFieldCondition,
  ZLifecycleCondition,
  ZInteractionCondition,
  ZConsentCondition,
  ZCreatedCondition,
]);
export type Condition = z.infer<typeof ZCondition>;
export type ConditionType = Condition['type'];

/**
 * A segment, version 1: a flat list of conditions joined by `all` (AND) or `any` (OR). No
 * conditions: every contact. Erased contacts are never members, whatever the conditions say.
 */
export const ZSegmentDefinition = z.object({
  version: z.literal(1),
  match: z.enum(['all', 'any']),
  conditions: z.array(ZCondition).max(MAX_CONDITIONS),
});
export type SegmentDefinition = z.infer<typeof ZSegmentDefinition>;

/** The catalogue field keys a definition uses, so that a writer can check them against the catalogue. */
export const fieldKeysOf = (definition: SegmentDefinition): string[] => [
  ...new Set(definition.conditions.flatMap((c) => (c.type === 'field' ? [c.field] : []))),
];

/** The purposes a definition's consent conditions name. */
export const purposeIdsOf = (definition: SegmentDefinition): string[] => [
  ...new Set(definition.conditions.flatMap((c) => (c.type === 'consent' ? [c.purposeId] : []))),
];
