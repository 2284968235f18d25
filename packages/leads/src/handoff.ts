import { createHash, randomUUID } from 'node:crypto';
import { isUniqueViolation, type Db, type Prisma } from '@zweck/db';
import { readDecisionFacts } from '@zweck/decision-facts';
import { decide, type Channel } from '@zweck/policy';
import { recordDecision } from './decisions.ts';
import { readLeadSettings } from './scoring.ts';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const HOUR_MS = 3_600_000;

/** Why a rep sends a lead back to nurturing: codes, so that no free text (and no personal data) travels in a signal. */
export const RECYCLE_REASONS = ['not_ready', 'no_budget', 'no_response', 'not_decision_maker', 'no_fit'] as const;
export type RecycleReason = (typeof RECYCLE_REASONS)[number];

/** Built-in fields are columns of `contact`; the others live in `contact.attributes`. */
const BUILTIN_COLUMNS = {
  email: 'email',
  first_name: 'firstName',
  last_name: 'lastName',
  phone: 'phone',
  organization: 'organization',
} as const;

export type ContactValueSource = {
  email: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  organization: string | null;
  attributes: Prisma.JsonValue;
};

/** A contact's value of a catalogue field, as text; null when empty. */
export function fieldValueOf(contact: ContactValueSource, key: string): string | null {
  const column = BUILTIN_COLUMNS[key as keyof typeof BUILTIN_COLUMNS] as keyof ContactValueSource | undefined;
  const value =
    column !== undefined
      ? contact[column]
      : typeof contact.attributes === 'object' && contact.attributes !== null && !Array.isArray(contact.attributes)
        ? contact.attributes[key]
        : null;
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/**
 * The rep who gets the next lead: among active reps of active users (in the contact's territory
 * when assignment goes by territory), the one whose last assignment lies furthest back. Callers
 * hold the assignment lock, so that two handoffs at once never pick the same "next" rep.
 */
async function pickOwner(tx: Prisma.TransactionClient, territory: string | null | undefined): Promise<string | null> {
  const rows =
    territory === undefined
      ? await tx.$queryRaw<{ user_id: string }[]>`
          SELECT r.user_id FROM sales_rep r JOIN app_user u ON u.id = r.user_id
          WHERE r.is_active AND u.is_active
          ORDER BY r.last_assigned_at ASC NULLS FIRST, r.created_at, r.user_id LIMIT 1`
      : territory === null
        ? []
        : await tx.$queryRaw<{ user_id: string }[]>`
          SELECT r.user_id FROM sales_rep r JOIN app_user u ON u.id = r.user_id
          WHERE r.is_active AND u.is_active
            AND EXISTS (SELECT 1 FROM unnest(r.territories) t WHERE lower(btrim(t)) = lower(btrim(${territory})))
          ORDER BY r.last_assigned_at ASC NULLS FIRST, r.created_at, r.user_id LIMIT 1`;
  return rows[0]?.user_id ?? null;
}

export interface AssignLeadInput {
  contactId: string;
  purposeId: string;
  channel: Channel;
  /** IDs only: what started the handoff. */
  trigger: Prisma.InputJsonValue;
  workflowId: string;
  /** The handoff run: one lead per key, so that a retried activity creates one lead. */
  handoffKey: string;
}

export type AssignLeadResult =
  | { outcome: 'assigned'; leadId: string; ownerId: string; dueAt: Date; dueHours: number }
  | { outcome: 'refused'; reasonCodes: string[] }
  | { outcome: 'no_owner' };

/**
 * Hand a contact to sales: ask the policy again (action `hand_off`) against a fresh read and
 * record it, pick the owner (round robin, or by territory with round robin inside it), and write
 * the lead with its due time, in one transaction. The contact becomes marketing-qualified and
 * owned by the rep, so that sales sees it (need to know, Art. 32).
 */
export async function assignLead(
  deps: { db: Db; suppressionKey: string },
  input: AssignLeadInput,
  options: { now: Date; decidedBy: string },
): Promise<AssignLeadResult> {
  const { db } = deps;
  const { now } = options;
  const existing = await db.lead.findUnique({ where: { handoffKey: input.handoffKey }, select: LEAD_ASSIGNED_SELECT });
  if (existing) return assignedResult(existing);

  const facts = await readDecisionFacts(db, deps.suppressionKey, input.contactId, input.purposeId);
  if (facts === null) return { outcome: 'refused', reasonCodes: ['SUBJECT_ERASED'] };
  const decision = decide(
    { subject: facts.subject, purpose: facts.purpose, channel: input.channel, action: 'hand_off', now: now.toISOString() },
    { sha256Hex },
  );
  const decisionId = await recordDecision(db, input.contactId, decision, options.decidedBy);
  if (!decision.allowed) return { outcome: 'refused', reasonCodes: decision.reasons.map((r) => r.code) };

  try {
    return await db.$transaction(async (tx) => {
      // One assignment at a time across the installation: round robin must see the previous pick.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('zweck.lead_assignment'))`;
      const settings = await readLeadSettings(tx);
      let territory: string | null | undefined;
      if (settings.assignmentMode === 'territory') {
        const contact = await tx.contact.findUniqueOrThrow({
          where: { id: input.contactId },
          select: { email: true, firstName: true, lastName: true, phone: true, organization: true, attributes: true },
        });
        territory = settings.territoryFieldKey === null ? null : fieldValueOf(contact, settings.territoryFieldKey);
      }
      const ownerId = await pickOwner(tx, territory);
      if (ownerId === null) return { outcome: 'no_owner' as const };
      const dueAt = new Date(now.getTime() + settings.dueHours * HOUR_MS);
      const lead = await tx.lead.create({
        data: {
          id: randomUUID(),
          contactId: input.contactId,
          ownerId,
          purposeId: input.purposeId,
          channel: input.channel,
          trigger: input.trigger,
          workflowId: input.workflowId,
          handoffKey: input.handoffKey,
          decisionId,
          dueAt,
          createdAt: now,
        },
        select: LEAD_ASSIGNED_SELECT,
      });
      await tx.salesRep.update({ where: { userId: ownerId }, data: { lastAssignedAt: now } });
      await tx.contact.update({ where: { id: input.contactId }, data: { ownerId, lifecycleStage: 'marketing_qualified' } });
      await tx.auditEvent.create({
        data: {
          actor: options.decidedBy,
          action: 'lead.assigned',
          entityType: 'lead',
          entityId: lead.id,
          details: { contactId: input.contactId, ownerId, decisionId, assignmentMode: settings.assignmentMode },
        },
      });
      return assignedResult(lead);
    });
  } catch (error) {
    // Another lead of this contact is still open (partial unique index): the handoff does not stack.
    if (isUniqueViolation(error, 'lead_one_open_per_contact') || isUniqueViolation(error, 'contact_id')) {
      return { outcome: 'refused', reasonCodes: ['LEAD_ALREADY_OPEN'] };
    }
    if (isUniqueViolation(error, 'handoff_key')) {
      return assignedResult(await db.lead.findUniqueOrThrow({ where: { handoffKey: input.handoffKey }, select: LEAD_ASSIGNED_SELECT }));
    }
    throw error;
  }
}

const LEAD_ASSIGNED_SELECT = { id: true, ownerId: true, dueAt: true, createdAt: true } as const;

function assignedResult(lead: { id: string; ownerId: string; dueAt: Date; createdAt: Date }): AssignLeadResult {
  return {
    outcome: 'assigned',
    leadId: lead.id,
    ownerId: lead.ownerId,
    dueAt: lead.dueAt,
    dueHours: Math.max(0, (lead.dueAt.getTime() - lead.createdAt.getTime()) / HOUR_MS),
  };
}

export type SettleLeadInput = { leadId: string; userId: string } & ({ action: 'accept' } | { action: 'recycle'; reason: RecycleReason });

/**
 * The rep's answer. Accepting makes the contact sales-qualified; recycling sends the contact back
 * to nurturing: lifecycle stage `lead`, no owner, and a `lead.recycled` contact event that
 * journeys triggered by events and segments can use. That event is written here as a row: the
 * API's event path (which also signals running journeys) is not reachable from an activity.
 * Only an open lead changes; a repeated answer returns the lead's current status.
 */
export async function settleLead(db: Db, input: SettleLeadInput, now: Date): Promise<{ status: 'open' | 'accepted' | 'recycled' }> {
  return db.$transaction(async (tx) => {
    const [lead] = await tx.$queryRaw<{ contact_id: string; status: 'open' | 'accepted' | 'recycled' }[]>`
      SELECT contact_id, status::text AS status FROM lead WHERE id = ${input.leadId}::uuid FOR UPDATE`;
    if (!lead) throw new Error('lead not found');
    if (lead.status !== 'open') return { status: lead.status };
    if (input.action === 'accept') {
      await tx.lead.update({ where: { id: input.leadId }, data: { status: 'accepted', acceptedAt: now, settledBy: input.userId } });
      await tx.contact.update({ where: { id: lead.contact_id }, data: { lifecycleStage: 'sales_qualified' } });
    } else {
      await tx.lead.update({
        where: { id: input.leadId },
        data: { status: 'recycled', recycledAt: now, recycleReason: input.reason, settledBy: input.userId },
      });
      await tx.contact.update({ where: { id: lead.contact_id }, data: { lifecycleStage: 'lead', ownerId: null } });
      await tx.contactEvent.create({
        data: {
          contactId: lead.contact_id,
          name: 'lead.recycled',
          occurredAt: now,
          details: { leadId: input.leadId, reason: input.reason },
        },
      });
    }
    await tx.auditEvent.create({
      data: {
        actor: `user:${input.userId}`,
        action: input.action === 'accept' ? 'lead.accepted' : 'lead.recycled',
        entityType: 'lead',
        entityId: input.leadId,
        details: input.action === 'recycle' ? { reason: input.reason } : {},
      },
    });
    return { status: input.action === 'accept' ? ('accepted' as const) : ('recycled' as const) };
  });
}

/**
 * The due time passed without an answer: mark the lead escalated (once) and name who must hear of
 * it, the owner's manager. Null when the lead was answered meanwhile. A retry after the mark finds
 * the lead still open and escalated, and returns the same answer, so the notification is not lost.
 */
export async function escalateLead(db: Db, leadId: string, now: Date): Promise<{ ownerId: string; managerId: string | null } | null> {
  return db.$transaction(async (tx) => {
    const marked = await tx.lead.updateMany({ where: { id: leadId, status: 'open', escalatedAt: null }, data: { escalatedAt: now } });
    const lead = await tx.lead.findUnique({
      where: { id: leadId },
      select: { status: true, ownerId: true, owner: { select: { salesRep: { select: { managerId: true } } } } },
    });
    if (!lead || lead.status !== 'open') return null;
    const managerId = lead.owner.salesRep?.managerId ?? null;
    if (marked.count > 0) {
      await tx.auditEvent.create({
        data: { actor: 'system:handoff', action: 'lead.escalated', entityType: 'lead', entityId: leadId, details: { managerId } },
      });
    }
    return { ownerId: lead.ownerId, managerId };
  });
}
