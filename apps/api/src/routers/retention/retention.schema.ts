import { ZDataCategory, ZRetentionPeriod } from '@zweck/policy';
import { z } from 'zod';

export const ZRetentionAnchor = z.enum(['last_interaction', 'contract_end', 'consent_withdrawn', 'created']);
export const ZRetentionAction = z.enum(['delete', 'anonymize', 'review']);
export const ZLegalHoldKind = z.enum(['commercial_hgb_257', 'tax_ao_147', 'litigation', 'other']);
const ZDay = z.iso.date();

/** A policy's values, as the editor sends them: the scope's own column and no other. */
export const ZRetentionPolicyValues = z
  .object({
    name: z.string().trim().min(1, 'a name').max(120),
    scopeKind: z.enum(['purpose', 'data_category']),
    purposeId: z.string().trim().min(1).max(64).nullable(),
    dataCategory: ZDataCategory.nullable(),
    period: ZRetentionPeriod,
    anchor: ZRetentionAnchor,
    action: ZRetentionAction,
    reminderLeadDays: z.number().int().min(0).max(365),
    requiresApproval: z.boolean(),
    active: z.boolean(),
  })
  .superRefine((v, ctx) => {
    if (v.scopeKind === 'purpose' && v.purposeId === null)
      ctx.addIssue({ code: 'custom', path: ['purposeId'], message: 'choose a purpose' });
    if (v.scopeKind === 'data_category' && v.dataCategory === null) {
      ctx.addIssue({ code: 'custom', path: ['dataCategory'], message: 'choose a data category' });
    }
  });
export type RetentionPolicyValues = z.infer<typeof ZRetentionPolicyValues>;

export const ZIdInput = z.object({ id: z.uuid() });
export const ZUpdatePolicyInput = z.object({ id: z.uuid(), values: ZRetentionPolicyValues });

/** What the editor previews: the values (saved or not) that decide who reaches a deadline when. */
export const ZPreviewInput = z.object({
  scopeKind: z.enum(['purpose', 'data_category']),
  purposeId: z.string().trim().min(1).max(64).nullable(),
  dataCategory: ZDataCategory.nullable(),
  period: ZRetentionPeriod,
  anchor: ZRetentionAnchor,
  reminderLeadDays: z.number().int().min(0).max(365),
});

export const ZPreviewOut = z.object({
  /** Past the deadline now (a run would take them), of which held by a legal hold. */
  dueNow: z.number().int(),
  heldNow: z.number().int(),
  within30Days: z.number().int(),
  within90Days: z.number().int(),
  /** The preview stopped counting here (a very large scope): the numbers are at least these. */
  capped: z.boolean(),
});

export const ZPolicyOut = z.object({
  id: z.uuid(),
  name: z.string(),
  scopeKind: z.enum(['purpose', 'data_category']),
  purposeId: z.string().nullable(),
  purposeName: z.string().nullable(),
  dataCategory: ZDataCategory.nullable(),
  period: z.string(),
  anchor: ZRetentionAnchor,
  action: ZRetentionAction,
  reminderLeadDays: z.number().int(),
  requiresApproval: z.boolean(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  runCount: z.number().int(),
  pendingRuns: z.number().int(),
});
export type PolicyOut = z.infer<typeof ZPolicyOut>;

export const ZHoldValues = z
  .object({
    kind: ZLegalHoldKind,
    scopeKind: z.enum(['purpose', 'data_category', 'contact']),
    purposeId: z.string().trim().min(1).max(64).nullable(),
    dataCategory: ZDataCategory.nullable(),
    contactId: z.uuid().nullable(),
    /** The statute or case reference; no personal data. */
    reason: z.string().trim().min(3, 'say why: the statute or the case reference').max(500),
    startsOn: ZDay,
    endsOn: ZDay.nullable(),
  })
  .superRefine((v, ctx) => {
    const need = { purpose: 'purposeId', data_category: 'dataCategory', contact: 'contactId' } as const;
    const field = need[v.scopeKind];
    if (v[field] === null) ctx.addIssue({ code: 'custom', path: [field], message: 'say what the hold covers' });
    if (v.endsOn !== null && v.endsOn < v.startsOn) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'ends before it starts' });
  });
export type HoldValues = z.infer<typeof ZHoldValues>;
export const ZUpdateHoldInput = z.object({ id: z.uuid(), values: ZHoldValues });

export const ZHoldOut = z.object({
  id: z.uuid(),
  kind: ZLegalHoldKind,
  scopeKind: z.enum(['purpose', 'data_category', 'contact']),
  purposeId: z.string().nullable(),
  dataCategory: ZDataCategory.nullable(),
  contactId: z.string().nullable(),
  reason: z.string(),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
  inForce: z.boolean(),
});
export type HoldOut = z.infer<typeof ZHoldOut>;

export const ZRunStatus = z.enum(['pending_approval', 'approved', 'rejected', 'done']);
export const ZRunListInput = z.object({ policyId: z.uuid().optional(), status: ZRunStatus.optional() });

export const ZRunOut = z.object({
  id: z.uuid(),
  policyId: z.uuid(),
  policyName: z.string(),
  status: ZRunStatus,
  action: ZRetentionAction,
  dueAt: z.string(),
  contactsTotal: z.number().int(),
  deletedCount: z.number().int(),
  anonymizedCount: z.number().int(),
  restrictedCount: z.number().int(),
  skippedCount: z.number().int(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
  finishedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type RunOut = z.infer<typeof ZRunOut>;

export const ZRunItemOut = z.object({
  contactId: z.string(),
  deadline: z.string(),
  plannedAction: ZRetentionAction,
  outcome: z.enum(['deleted', 'anonymized', 'restricted_by_hold', 'skipped']).nullable(),
  reason: z.string().nullable(),
  holdId: z.string().nullable(),
  processedAt: z.string().nullable(),
});

export const ZRunGetInput = z.object({
  id: z.uuid(),
  afterContactId: z.uuid().nullable().default(null),
  limit: z.number().int().min(1).max(500).default(100),
});
export const ZRunDetailOut = z.object({
  run: ZRunOut,
  items: ZRunItemOut.array(),
  nextCursor: z.string().nullable(),
});

export const ZApproveInput = z.object({
  id: z.uuid(),
  /** For a `review` policy: what to do; otherwise the policy's action stands. */
  action: z.enum(['delete', 'anonymize']).optional(),
});
export const ZRejectInput = z.object({ id: z.uuid(), note: z.string().trim().min(3, 'say why').max(500) });

/** A deleted policy or hold. */
export const ZDeletedOut = z.object({ deleted: z.literal(true) });

export const ZCheckNowOut = z.object({ status: z.enum(['started', 'already_running']) });
