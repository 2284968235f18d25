import { WorkflowNotFoundError } from '@temporalio/client';
import type { Prisma } from '@zweck/db';
import { explainScore, fieldValueOf, mayDo, settleLead } from '@zweck/leads';
import { leadAnswerSignal, SALES_FOLLOW_UP_PURPOSE_ID, type LeadAnswer, type RecycleReasonCode } from '@zweck/workflows/contracts';
import { audit } from '../../audit.ts';
import { hiddenFields, isFieldVisible, visibleFieldKeys } from '../../contacts/field-visibility.ts';
import { loadFieldSealing, openedAttributes } from '../../contacts/fields.ts';
import { assertContactVisible, auditContactRead } from '../../contacts/read-access.ts';
import type { Context, SessionUser } from '../../trpc/context.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import {
  DUE_SOON_HOURS,
  ZAnswerOut,
  ZInboxInput,
  ZInboxOut,
  ZLeadIdInput,
  ZLeadOut,
  ZRecycleInput,
  type InboxItem,
  type LeadTab,
} from './leads.schema.ts';

/** Sales works its leads; administrators see every lead. Marketers hand off from the scoring page. */
const LEAD_ROLES = ['admin', 'sales'] as const;

const HOUR_MS = 3_600_000;

/**
 * Need to know (Art. 5(1)(f), 32 GDPR): a rep sees the leads they own, a manager also the leads
 * of their team, an administrator all. Everything else answers as if it did not exist.
 */
function visibleTo(user: SessionUser): Prisma.LeadWhereInput {
  if (user.role === 'admin') return {};
  return { OR: [{ ownerId: user.id }, { owner: { salesRep: { managerId: user.id } } }] };
}

function tabWhere(tab: LeadTab, user: SessionUser, now: Date): Prisma.LeadWhereInput {
  switch (tab) {
    case 'mine':
      return { ownerId: user.id, status: 'open' };
    case 'due_soon':
      return { AND: [visibleTo(user), { status: 'open', dueAt: { gt: now, lte: new Date(now.getTime() + DUE_SOON_HOURS * HOUR_MS) } }] };
    case 'overdue':
      return { AND: [visibleTo(user), { status: 'open', dueAt: { lte: now } }] };
    case 'settled':
      return { AND: [visibleTo(user), { status: { not: 'open' } }] };
  }
}

const CONTACT_VALUES_SELECT = {
  email: true,
  firstName: true,
  lastName: true,
  phone: true,
  organization: true,
  attributes: true,
} as const satisfies Prisma.ContactSelect;

type ContactValues = Prisma.ContactGetPayload<{ select: typeof CONTACT_VALUES_SELECT }>;

/** Name first, then how to reach the person, then the rest in the order the catalogue gained them. */
const FIELD_ORDER = ['first_name', 'last_name', 'organization', 'job_title', 'email', 'phone'];

/**
 * The fields of the catalogue that the purpose `sales_follow_up` may use, of those the ones the
 * caller's role sees (field-level need-to-know, contacts/field-visibility.ts) and the keys of the rest.
 */
async function salesFields(ctx: Context & { user: SessionUser }): Promise<{ shown: { key: string; label: string }[]; hidden: string[] }> {
  const [fields, visible] = await Promise.all([salesPurposeFields(ctx), visibleFieldKeys(ctx.db, ctx.user.role)]);
  return {
    shown: fields.filter((f) => isFieldVisible(visible, f.key)),
    hidden: hiddenFields(
      fields.map((f) => f.key),
      visible,
    ),
  };
}

/** The fields of the catalogue that the purpose `sales_follow_up` may use. */
async function salesPurposeFields(ctx: Context): Promise<{ key: string; label: string }[]> {
  const rows = await ctx.db.purposeField.findMany({
    where: { purposeId: SALES_FOLLOW_UP_PURPOSE_ID },
    select: { field: { select: { key: true, label: true, createdAt: true } } },
  });
  const rank = (key: string): number => {
    const i = FIELD_ORDER.indexOf(key);
    return i === -1 ? FIELD_ORDER.length : i;
  };
  return rows
    .map((r) => r.field)
    .sort((a, b) => rank(a.key) - rank(b.key) || a.createdAt.getTime() - b.createdAt.getTime() || a.key.localeCompare(b.key));
}

/** How the inbox names a lead: by name and organization where the sales purpose may use them, else by its number. */
function labelOf(contact: ContactValues, allowed: ReadonlySet<string>, leadId: string): string {
  const name = ['first_name', 'last_name']
    .filter((key) => allowed.has(key))
    .map((key) => fieldValueOf(contact, key))
    .filter((v): v is string => v !== null)
    .join(' ');
  return name !== '' ? name : `Lead ${leadId.slice(0, 8)}`;
}

async function findVisibleLead(ctx: Context & { user: SessionUser }, id: string) {
  const lead = await ctx.db.lead.findFirst({
    where: { AND: [{ id }, visibleTo(ctx.user)] },
    select: {
      id: true,
      status: true,
      contactId: true,
      ownerId: true,
      owner: { select: { displayName: true } },
      purposeId: true,
      trigger: true,
      workflowId: true,
      dueAt: true,
      escalatedAt: true,
      acceptedAt: true,
      recycledAt: true,
      recycleReason: true,
      createdAt: true,
      contact: { select: CONTACT_VALUES_SELECT },
    },
  });
  if (!lead) throw new AppError('LEAD_NOT_FOUND', 'There is no such lead.', 'id');
  return lead;
}

const triggerKindOf = (trigger: Prisma.JsonValue): string =>
  typeof trigger === 'object' && trigger !== null && !Array.isArray(trigger) && typeof trigger.kind === 'string' ? trigger.kind : 'unknown';

/**
 * Send the rep's answer to the lead's handoff workflow, which settles the lead (and, for a
 * recycle, sends the contact back to nurturing). A lead whose workflow no longer runs (it was
 * terminated) is settled here, by the same function the activity uses.
 */
async function answer(
  ctx: Context & { user: SessionUser },
  id: string,
  reply: { action: 'accept' } | { action: 'recycle'; reason: RecycleReasonCode },
) {
  const lead = await findVisibleLead(ctx, id);
  if (lead.status !== 'open') throw new AppError('LEAD_NOT_OPEN', 'This lead was already answered.', 'id');
  const signal: LeadAnswer =
    reply.action === 'accept'
      ? { action: 'accept', leadId: lead.id, userId: ctx.user.id }
      : { action: 'recycle', leadId: lead.id, userId: ctx.user.id, reason: reply.reason };
  await audit(ctx.db, {
    actor: `user:${ctx.user.id}`,
    action: `lead.${reply.action}.requested`,
    entityType: 'lead',
    entityId: lead.id,
    details: reply.action === 'recycle' ? { reason: reply.reason } : {},
  });
  try {
    await ctx.temporal.workflow.getHandle(lead.workflowId).signal(leadAnswerSignal, signal);
    return { status: 'pending' as const };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    const settled = await settleLead(ctx.db, { ...signal, leadId: lead.id }, new Date());
    return { status: settled.status === 'recycled' ? ('recycled' as const) : ('accepted' as const) };
  }
}

export const leadsRouter = router({
  /** The lead inbox: mine, due soon, overdue (a manager's include the team's), and settled ones. */
  inbox: procedureFor(...LEAD_ROLES)
    .input(ZInboxInput)
    .output(ZInboxOut)
    .query(async ({ ctx, input }) => {
      const now = new Date();
      const [rows, mine, dueSoon, overdue, settled, team] = await Promise.all([
        ctx.db.lead.findMany({
          where: tabWhere(input.tab, ctx.user, now),
          orderBy: input.tab === 'settled' ? { createdAt: 'desc' } : [{ dueAt: 'asc' }, { id: 'asc' }],
          take: 200,
          select: {
            id: true,
            status: true,
            ownerId: true,
            owner: { select: { displayName: true } },
            dueAt: true,
            escalatedAt: true,
            createdAt: true,
            trigger: true,
            contact: { select: CONTACT_VALUES_SELECT },
          },
        }),
        ctx.db.lead.count({ where: tabWhere('mine', ctx.user, now) }),
        ctx.db.lead.count({ where: tabWhere('due_soon', ctx.user, now) }),
        ctx.db.lead.count({ where: tabWhere('overdue', ctx.user, now) }),
        ctx.db.lead.count({ where: tabWhere('settled', ctx.user, now) }),
        ctx.db.salesRep.count({ where: { managerId: ctx.user.id } }),
      ]);
      const allowed = new Set((await salesFields(ctx)).shown.map((f) => f.key));
      const items: InboxItem[] = rows.map((row) => ({
        id: row.id,
        status: row.status,
        label: labelOf(row.contact, allowed, row.id),
        organization: allowed.has('organization') ? fieldValueOf(row.contact, 'organization') : null,
        ownerId: row.ownerId,
        ownerName: row.owner.displayName,
        dueAt: row.dueAt,
        escalatedAt: row.escalatedAt,
        createdAt: row.createdAt,
        triggerKind: triggerKindOf(row.trigger),
      }));
      return { items, counts: { mine, due_soon: dueSoon, overdue, settled }, isManager: team > 0 };
    }),

  /**
   * One lead: the fields the sales purpose may use, the interaction history, the score's
   * explanation, and what the rep may do with the lead per channel. The read is audited.
   */
  get: procedureFor(...LEAD_ROLES)
    .input(ZLeadIdInput)
    .output(ZLeadOut)
    .query(async ({ ctx, input }) => {
      const lead = await findVisibleLead(ctx, input.id);
      // The lead's visibility implies the contact's (read-access.ts counts leads in); asked all the same.
      const access = await assertContactVisible(ctx, lead.contactId);
      const now = new Date();
      const { shown: fields, hidden } = await salesFields(ctx);
      const allowed = new Set(fields.map((f) => f.key));
      const [interactions, events, score, may] = await Promise.all([
        ctx.db.interaction.findMany({
          where: { contactId: lead.contactId },
          orderBy: { occurredAt: 'desc' },
          take: 50,
          select: { id: true, kind: true, occurredAt: true, campaignId: true },
        }),
        ctx.db.contactEvent.findMany({
          where: { contactId: lead.contactId },
          orderBy: { occurredAt: 'desc' },
          take: 20,
          select: { id: true, name: true, occurredAt: true },
        }),
        explainScore(ctx.db, lead.contactId, now),
        mayDo(ctx.db, ctx.env.SUPPRESSION_KEY, lead.contactId, now),
      ]);
      const campaignIds = [...new Set(interactions.map((i) => i.campaignId).filter((c): c is string => c !== null))];
      const campaigns = new Map(
        (await ctx.db.campaign.findMany({ where: { id: { in: campaignIds } }, select: { id: true, name: true } })).map((c) => [
          c.id,
          c.name,
        ]),
      );
      // Free-text values of the purpose's fields are sealed in the row: opened for the answer only.
      const sealing = await loadFieldSealing(ctx.db, ctx.env.FIELD_ENCRYPTION_KEYS);
      const contact = { ...lead.contact, attributes: openedAttributes(sealing, lead.contactId, lead.contact.attributes) };
      await auditContactRead(ctx, lead.contactId, access, 'leads.get', { leadId: lead.id, fields: [...allowed] });
      return {
        id: lead.id,
        status: lead.status,
        contactId: lead.contactId,
        label: labelOf(lead.contact, allowed, lead.id),
        ownerId: lead.ownerId,
        ownerName: lead.owner.displayName,
        isMine: lead.ownerId === ctx.user.id,
        purposeId: lead.purposeId,
        trigger: { kind: triggerKindOf(lead.trigger) },
        dueAt: lead.dueAt,
        escalatedAt: lead.escalatedAt,
        acceptedAt: lead.acceptedAt,
        recycledAt: lead.recycledAt,
        recycleReason: lead.recycleReason,
        createdAt: lead.createdAt,
        fields: fields.map((f) => ({ key: f.key, label: f.label, value: fieldValueOf(contact, f.key) })),
        hiddenFields: hidden,
        interactions: interactions.map((i) => ({
          id: i.id.toString(),
          kind: i.kind,
          occurredAt: i.occurredAt,
          campaignName: i.campaignId === null ? null : (campaigns.get(i.campaignId) ?? null),
        })),
        events: events.map((e) => ({ id: e.id.toString(), name: e.name, occurredAt: e.occurredAt })),
        score: {
          score: score.score,
          threshold: score.threshold,
          events: score.events.map((e) => ({
            id: e.id,
            reason: e.reason,
            points: e.points,
            halfLifeDays: e.halfLifeDays,
            decayedPoints: e.decayedPoints,
            occurredAt: e.occurredAt,
            sourceKind: e.source.kind,
            decisionId: e.decisionId,
          })),
        },
        mayDo: may ?? [],
      };
    }),

  /** The rep takes the lead. */
  accept: procedureFor(...LEAD_ROLES)
    .input(ZLeadIdInput)
    .output(ZAnswerOut)
    .mutation(async ({ ctx, input }) => answer(ctx, input.id, { action: 'accept' })),

  /** The rep sends the lead back to nurturing, with a reason code. */
  recycle: procedureFor(...LEAD_ROLES)
    .input(ZRecycleInput)
    .output(ZAnswerOut)
    .mutation(async ({ ctx, input }) => answer(ctx, input.id, { action: 'recycle', reason: input.reason })),
});
