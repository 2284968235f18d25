import { ZChannel, ZLegalBasis } from '@zweck/policy';
import { ZRecycleReason } from '@zweck/workflows/contracts';
import { z } from 'zod';

export const LEAD_TABS = ['mine', 'due_soon', 'overdue', 'settled'] as const;
export const ZLeadTab = z.enum(LEAD_TABS);
export type LeadTab = z.infer<typeof ZLeadTab>;

/** Open leads due within this many hours count as "due soon". */
export const DUE_SOON_HOURS = 24;

export const ZLeadStatus = z.enum(['open', 'accepted', 'recycled']);

export const ZInboxInput = z.object({ tab: ZLeadTab.default('mine') });
export const ZLeadIdInput = z.object({ id: z.uuid('Not a lead ID') });
export const ZRecycleInput = z.object({ id: z.uuid('Not a lead ID'), reason: ZRecycleReason });

export const ZInboxItem = z.object({
  id: z.uuid(),
  status: ZLeadStatus,
  /** The person as the purpose `sales_follow_up` and the caller's role may show them (name, organization); else the lead's number. */
  label: z.string(),
  organization: z.string().nullable(),
  ownerId: z.uuid(),
  ownerName: z.string(),
  dueAt: z.date(),
  escalatedAt: z.date().nullable(),
  createdAt: z.date(),
  triggerKind: z.string(),
});
export type InboxItem = z.infer<typeof ZInboxItem>;

export const ZInboxOut = z.object({
  items: ZInboxItem.array(),
  counts: z.object({ mine: z.number().int(), due_soon: z.number().int(), overdue: z.number().int(), settled: z.number().int() }),
  /** The signed-in user manages a team: the inbox includes the team's leads. */
  isManager: z.boolean(),
});

export const ZMayDoItem = z.object({
  channel: ZChannel,
  allowed: z.boolean(),
  purpose: z.object({ id: z.string(), name: z.string(), description: z.string() }).nullable(),
  legalBasis: ZLegalBasis.nullable(),
  article: z.string().nullable(),
  reasonCodes: z.string().array(),
  source: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('consent'), method: z.string(), source: z.string(), at: z.date() }),
      z.object({ kind: z.literal('provenance'), source: z.string(), reference: z.string().nullable(), at: z.date() }),
    ])
    .nullable(),
  until: z.date().nullable(),
});

export const ZLeadOut = z.object({
  id: z.uuid(),
  status: ZLeadStatus,
  contactId: z.uuid(),
  label: z.string(),
  ownerId: z.uuid(),
  ownerName: z.string(),
  isMine: z.boolean(),
  purposeId: z.string(),
  trigger: z.object({ kind: z.string() }),
  dueAt: z.date(),
  escalatedAt: z.date().nullable(),
  acceptedAt: z.date().nullable(),
  recycledAt: z.date().nullable(),
  recycleReason: z.string().nullable(),
  createdAt: z.date(),
  /** Only the fields the purpose `sales_follow_up` may use (field catalogue, Art. 5(1)(c)). */
  fields: z.object({ key: z.string(), label: z.string(), value: z.string().nullable() }).array(),
  /** Keys of the sales purpose's fields withheld from the caller's role (field-level need-to-know). */
  hiddenFields: z.array(z.string()),
  interactions: z.object({ id: z.string(), kind: z.string(), occurredAt: z.date(), campaignName: z.string().nullable() }).array(),
  events: z.object({ id: z.string(), name: z.string(), occurredAt: z.date() }).array(),
  score: z.object({
    score: z.number(),
    threshold: z.number().int(),
    events: z
      .object({
        id: z.uuid(),
        reason: z.string(),
        points: z.number().int(),
        halfLifeDays: z.number().int().nullable(),
        decayedPoints: z.number(),
        occurredAt: z.date(),
        sourceKind: z.enum(['rule', 'journey']),
        decisionId: z.uuid(),
      })
      .array(),
  }),
  mayDo: ZMayDoItem.array(),
});
export type LeadOut = z.infer<typeof ZLeadOut>;

export const ZAnswerOut = z.object({ status: z.enum(['pending', 'accepted', 'recycled']) });
