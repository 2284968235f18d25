import type { Db, FieldKeyRing, LegalBasis, Prisma } from '@zweck/db';
import { audit } from '../audit.ts';
import { AppError } from '../trpc/errors.ts';
import { BUILTIN_COLUMNS, loadFieldSealing, sealedAttributes, storedValues, type FieldSealing } from './fields.ts';
import { moveJourneyRowsOnMerge } from '../journeys-runtime/enrollment.ts';

/**
 * Merging two records of one person. The survivor keeps its values; fields it lacks are filled
 * from the duplicate; values of the duplicate that differ are discarded and named in the result.
 * The consent ledgers, provenance, decisions and mail logs become one (their union), the merge
 * itself is recorded (provenance and audit), and the duplicate record is removed. One transaction.
 */

const MERGE_SELECT = {
  id: true,
  status: true,
  email: true,
  firstName: true,
  lastName: true,
  phone: true,
  phoneE164: true,
  organization: true,
  attributes: true,
  ownerId: true,
  _count: { select: { consentEvents: true, provenance: true, decisions: true, messages: true } },
  leads: { where: { status: 'open' }, select: { id: true } },
} satisfies Prisma.ContactSelect;
type MergeRecord = Prisma.ContactGetPayload<{ select: typeof MERGE_SELECT }>;

export interface MergePlan {
  survivorId: string;
  duplicateId: string;
  /** Fields the survivor lacks and gets from the duplicate. */
  filled: string[];
  /** Fields where both have a value and the duplicate's differs: the survivor's stays. */
  discarded: string[];
  moved: { consentEvents: number; provenance: number; decisions: number; messages: number };
}

/** What a merge would do, computed from the two records alone (the preview shows it before the merge); free text compared opened. */
export function planMerge(survivor: MergeRecord, duplicate: MergeRecord, sealing: FieldSealing): MergePlan {
  const kept = storedValues(survivor, sealing);
  const incoming = storedValues(duplicate, sealing);
  const filled: string[] = [];
  const discarded: string[] = [];
  for (const [key, value] of Object.entries(incoming)) {
    if (value === null || value === '') continue;
    const current = kept[key];
    if (current === null || current === undefined || current === '') filled.push(key);
    else if (current.trim().toLowerCase() !== value.trim().toLowerCase()) discarded.push(key);
  }
  return {
    survivorId: survivor.id,
    duplicateId: duplicate.id,
    filled: filled.sort(),
    discarded: discarded.sort(),
    moved: duplicate._count,
  };
}

async function loadPair(db: Pick<Db, 'contact'>, survivorId: string, duplicateId: string): Promise<[MergeRecord, MergeRecord]> {
  if (survivorId === duplicateId) throw new AppError('MERGE_SAME_CONTACT', 'A contact cannot be merged with itself.', 'duplicateId');
  const rows = await db.contact.findMany({ where: { id: { in: [survivorId, duplicateId] } }, select: MERGE_SELECT });
  const survivor = rows.find((r) => r.id === survivorId);
  const duplicate = rows.find((r) => r.id === duplicateId);
  if (!survivor || !duplicate) throw new AppError('CONTACT_NOT_FOUND', 'There is no such contact.');
  for (const record of [survivor, duplicate]) {
    if (record.status === 'erased' || record.status === 'erasure_pending') {
      throw new AppError('MERGE_NOT_ALLOWED', 'A contact that is erased or awaiting erasure cannot be merged (Art. 17 GDPR).');
    }
    // An open lead has a handoff workflow keyed by its contact and a rep working on it: the rep
    // answers it first (accept or recycle), so that no task points at a record that is gone.
    if (record.leads.length > 0) {
      throw new AppError(
        'MERGE_BLOCKED_BY_OPEN_LEAD',
        'One of the contacts is an open lead with sales: accept or recycle the lead first, then merge.',
      );
    }
  }
  return [survivor, duplicate];
}

export async function previewMerge(
  db: Pick<Db, 'contact' | 'fieldDefinition'>,
  fieldKeys: FieldKeyRing,
  survivorId: string,
  duplicateId: string,
): Promise<MergePlan> {
  const [survivor, duplicate] = await loadPair(db, survivorId, duplicateId);
  return planMerge(survivor, duplicate, await loadFieldSealing(db, fieldKeys));
}

export async function mergeContacts(
  db: Db,
  fieldKeys: FieldKeyRing,
  input: { survivorId: string; duplicateId: string; actor: string; reference?: string },
): Promise<MergePlan> {
  const sealing = await loadFieldSealing(db, fieldKeys);
  return db.$transaction(async (tx) => {
    // Lock both rows in a fixed order, so that two merges of the same pair cannot deadlock.
    const ids = [input.survivorId, input.duplicateId].sort();
    await tx.$queryRaw`SELECT id FROM contact WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
    const [survivor, duplicate] = await loadPair(tx, input.survivorId, input.duplicateId);
    const plan = planMerge(survivor, duplicate, sealing);
    const incoming = storedValues(duplicate, sealing);

    const data: Prisma.ContactUncheckedUpdateInput = {};
    const attributes: Record<string, string> = { ...(storedValues(survivor, sealing) as Record<string, string>) };
    for (const key of plan.filled) {
      const value = incoming[key];
      if (value === null || value === undefined) continue;
      if (key === 'phone') {
        data.phone = value;
        data.phoneE164 = duplicate.phoneE164;
      } else if (Object.hasOwn(BUILTIN_COLUMNS, key)) {
        data[BUILTIN_COLUMNS[key as keyof typeof BUILTIN_COLUMNS]] = value;
      } else {
        attributes[key] = value;
      }
    }
    // In clear text here; sealed again for the survivor (the duplicate's seals were bound to the duplicate).
    const customAttributes = sealedAttributes(
      sealing,
      survivor.id,
      Object.fromEntries(Object.entries(attributes).filter(([k]) => !Object.hasOwn(BUILTIN_COLUMNS, k))),
    );
    if (survivor.ownerId === null && duplicate.ownerId !== null) data.ownerId = duplicate.ownerId;

    // The ledger is append-only; a merge may only move events (the trigger allows contact_id alone).
    await tx.$executeRaw`SELECT set_config('zweck.merge', 'on', true)`;
    await tx.consentEvent.updateMany({ where: { contactId: duplicate.id }, data: { contactId: survivor.id } });
    await tx.$executeRaw`SELECT set_config('zweck.merge', 'off', true)`;
    const fieldBasis = await tx.provenance.findMany({
      where: { contactId: duplicate.id },
      select: { field: true, legalBasis: true },
      orderBy: { recordedAt: 'desc' },
    });
    const survivorRows = await tx.provenance.findMany({
      where: { contactId: survivor.id },
      select: { field: true, source: true, reference: true, legalBasis: true, actor: true },
      orderBy: { recordedAt: 'desc' },
    });
    await tx.provenance.updateMany({ where: { contactId: duplicate.id }, data: { contactId: survivor.id } });
    await tx.policyDecision.updateMany({ where: { contactId: duplicate.id }, data: { contactId: survivor.id } });
    await tx.message.updateMany({ where: { contactId: duplicate.id }, data: { contactId: survivor.id } });
    await tx.interaction.updateMany({ where: { contactId: duplicate.id }, data: { contactId: survivor.id } });
    // One outcome per (campaign, person): where both records were recipients, the survivor's stays.
    const shared = await tx.campaignRecipient.findMany({ where: { contactId: survivor.id }, select: { campaignId: true } });
    const sharedCampaigns = shared.map((r) => r.campaignId);
    const droppedOutcomes = await tx.campaignRecipient.deleteMany({
      where: { contactId: duplicate.id, campaignId: { in: sharedCampaigns } },
    });
    await tx.campaignRecipient.updateMany({ where: { contactId: duplicate.id }, data: { contactId: survivor.id } });
    await moveJourneyRowsOnMerge(tx, duplicate.id, survivor.id);
    // Score history and answered leads follow the person; re-permission asks follow their grants.
    await tx.scoreEvent.updateMany({ where: { contactId: duplicate.id }, data: { contactId: survivor.id } });
    await tx.lead.updateMany({ where: { contactId: duplicate.id }, data: { contactId: survivor.id } });
    await tx.repermissionAsk.updateMany({ where: { contactId: duplicate.id }, data: { contactId: survivor.id } });
    // Free the duplicate's address before the survivor may take over any of its values.
    await tx.contact.delete({ where: { id: duplicate.id } });
    await tx.contact.update({ where: { id: survivor.id }, data: { ...data, attributes: customAttributes } });

    const basisOf = (field: string | null): LegalBasis =>
      (fieldBasis.find((p) => p.field === field) ?? fieldBasis.find((p) => p.field === null))?.legalBasis ?? 'legitimate_interest';
    const reference = input.reference ?? `contact:${duplicate.id}`;
    await tx.provenance.createMany({
      data: [
        { contactId: survivor.id, field: null, source: 'merge', reference, legalBasis: basisOf(null), actor: input.actor },
        ...plan.filled.map((field) => ({
          contactId: survivor.id,
          field,
          source: 'merge',
          reference,
          legalBasis: basisOf(field),
          actor: input.actor,
        })),
        // The duplicate's rows for these fields moved here too; the newest row of each must again
        // say where the value in force came from, so the survivor's own row is repeated.
        ...plan.discarded.flatMap((field) => {
          const own = survivorRows.find((p) => p.field === field);
          return own
            ? [
                {
                  contactId: survivor.id,
                  field,
                  source: own.source,
                  reference: own.reference,
                  legalBasis: own.legalBasis,
                  actor: own.actor,
                },
              ]
            : [];
        }),
      ],
    });
    await audit(tx, {
      actor: input.actor,
      action: 'contact.merge',
      entityType: 'contact',
      entityId: survivor.id,
      details: {
        duplicateId: duplicate.id,
        filled: plan.filled,
        discarded: plan.discarded,
        movedConsentEvents: plan.moved.consentEvents,
        movedMessages: plan.moved.messages,
        droppedCampaignOutcomes: droppedOutcomes.count,
      },
    });
    return plan;
  });
}
