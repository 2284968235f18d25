import { createHash } from 'node:crypto';
import type { Db, FieldKeyRing, Prisma } from '@zweck/db';
import { SYSTEM_PURPOSE_IDS } from '@zweck/db/seed';
import { NON_CONSENT_BASES } from '../import/import-check.ts';
import { loadFieldSealing, storedValues } from '../contacts/fields.ts';
import { CONTACTS_FORMAT, CONTACTS_FORMAT_VERSION, portableEvidence } from '../import/contacts-format.ts';
import { recipientsOfContact } from '../processors/recipients.ts';
import { retentionPeriodsFor } from '../retention/periods.ts';
import { AppError } from '../trpc/errors.ts';
import { archiveFiles, zipArchive, NOT_IMPORTED } from './archive-files.ts';
import type { ArchiveSubject, ZweckExportV1 } from './archive-format.ts';

/**
 * The access and portability archive of one person (Art. 15(1) and (3), Art. 20 GDPR): every
 * personal datum this installation holds about them, with the consents' proof, where the data
 * came from, what was done with it, under which purposes and legal bases, who received it and
 * how long it is kept. One JSON document in the product's import format (it imports back, into
 * this or another installation), one CSV per section for reading, a README, zipped.
 *
 * Decisions about other people's data (Art. 15(4)): colleagues appear by role only (a lead's
 * owner is "sales representative", a consent recorded by staff says "staff (marketer)"), never by
 * name, address or user ID; a campaign or journey appears by its name, which staff chose and
 * which names no one. Staff notes about the person (a lead's recycle reason) are the person's
 * data and are included. Mail-log rows carry the kind, subject line (as the template writes it),
 * time and status, not the SMTP server's answer.
 */

export interface SubjectArchive {
  json: ZweckExportV1;
  /** The CSVs by file name (`consents.csv`, …), UTF-8. */
  files: Record<string, string>;
  zip: Uint8Array;
  /** SHA-256 (hex) of `zip`. */
  sha256: string;
}

export interface ArchiveOptions {
  /** The controller named in the archive (Art. 15(1), 13(1)(a)). */
  controller?: { name: string; privacyNoticeUrl: string };
  now?: Date;
}

const isoOrNull = (d: Date | null): string | null => d?.toISOString() ?? null;

const jsonObject = (value: Prisma.JsonValue): Record<string, Prisma.JsonValue> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Prisma.JsonValue>) : {};

const ROLE_TEXT: Record<string, string> = {
  admin: 'administrator',
  marketer: 'marketer',
  sales: 'sales representative',
  dpo: 'data protection officer',
};

/** Subjects of the product's own mails, which are fixed texts; campaign and journey mails take theirs from the template. */
const SYSTEM_SUBJECTS: Record<string, string> = {
  welcome: 'Welcome mail',
  consent_confirmation: 'Request to confirm a subscription (double opt-in)',
  consent_receipt: 'Copy of your consent records',
  re_permission: 'Request to renew a consent',
  art14_notice: 'Information about your data (Art. 14 GDPR)',
};

export async function buildSubjectArchive(
  db: Db,
  fieldKeys: FieldKeyRing,
  contactId: string,
  options: ArchiveOptions = {},
): Promise<SubjectArchive> {
  const now = options.now ?? new Date();
  const contact = await db.contact.findUnique({
    where: { id: contactId },
    select: {
      id: true,
      status: true,
      email: true,
      firstName: true,
      lastName: true,
      phone: true,
      organization: true,
      attributes: true,
      timeZone: true,
      emailUndeliverableAt: true,
      objectedAt: true,
      lifecycleStage: true,
      ownerId: true,
      createdAt: true,
      updatedAt: true,
    },
  });
  // An erased contact is a tombstone: nothing about the person is left to hand out.
  if (!contact || contact.status === 'erased') throw new AppError('CONTACT_NOT_FOUND', 'There is no such contact.', 'contactId');

  const [
    events,
    provenance,
    states,
    interactions,
    contactEvents,
    scores,
    leads,
    messages,
    recipientsRows,
    enrollments,
    decisions,
    catalogueFields,
    duties,
    staff,
  ] = await Promise.all([
    db.consentEvent.findMany({
      where: { contactId },
      orderBy: [{ occurredAt: 'asc' }, { recordedAt: 'asc' }, { id: 'asc' }],
      select: {
        id: true,
        purposeId: true,
        channel: true,
        kind: true,
        occurredAt: true,
        recordedAt: true,
        expiresAt: true,
        method: true,
        source: true,
        wordingVersion: true,
        wordingHash: true,
        actor: true,
        evidence: true,
      },
    }),
    db.provenance.findMany({
      where: { contactId },
      orderBy: [{ recordedAt: 'asc' }, { id: 'asc' }],
      select: { field: true, source: true, reference: true, legalBasis: true, recordedAt: true },
    }),
    db.consentState.findMany({
      where: { contactId },
      orderBy: [{ purposeId: 'asc' }, { channel: 'asc' }],
      select: { purposeId: true, channel: true, status: true, since: true, expiresAt: true },
    }),
    db.interaction.findMany({
      where: { contactId },
      orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
      select: { kind: true, occurredAt: true, campaignId: true, details: true },
    }),
    db.contactEvent.findMany({
      where: { contactId },
      orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
      select: { name: true, occurredAt: true, receivedAt: true, details: true },
    }),
    db.scoreEvent.findMany({
      where: { contactId },
      orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
      select: { points: true, reason: true, halfLifeDays: true, occurredAt: true },
    }),
    db.lead.findMany({
      where: { contactId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: {
        status: true,
        purposeId: true,
        channel: true,
        createdAt: true,
        dueAt: true,
        escalatedAt: true,
        acceptedAt: true,
        recycledAt: true,
        recycleReason: true,
        owner: { select: { role: true } },
      },
    }),
    db.message.findMany({
      where: { contactId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: {
        idempotencyKey: true,
        messageId: true,
        kind: true,
        purposeId: true,
        channel: true,
        status: true,
        createdAt: true,
        sentAt: true,
      },
    }),
    db.campaignRecipient.findMany({
      where: { contactId },
      orderBy: [{ decidedAt: 'asc' }, { campaignId: 'asc' }],
      select: {
        campaignId: true,
        outcome: true,
        reasonCodes: true,
        decidedAt: true,
        sentAt: true,
        campaign: { select: { name: true, purposeId: true, template: { select: { subject: true } } } },
      },
    }),
    db.journeyEnrollment.findMany({
      where: { contactId },
      orderBy: [{ enteredAt: 'asc' }, { id: 'asc' }],
      select: {
        status: true,
        enteredAt: true,
        exitedAt: true,
        exitReason: true,
        journey: { select: { name: true } },
        journeyVersion: { select: { number: true } },
      },
    }),
    db.policyDecision.findMany({
      where: { contactId },
      orderBy: [{ decidedAt: 'asc' }, { id: 'asc' }],
      select: { purposeId: true, channel: true, action: true, allowed: true, legalBasis: true, reasonCodes: true, decidedAt: true },
    }),
    db.fieldDefinition.findMany({ select: { key: true, label: true, category: true } }),
    db.art14Duty.findMany({
      where: { contactId },
      orderBy: [{ collectedAt: 'asc' }, { id: 'asc' }],
      select: { source: true, collectedAt: true, dueAt: true, status: true, notifiedAt: true, method: true, exemption: true },
    }),
    db.user.findMany({ select: { id: true, role: true } }),
  ]);

  const roleOf = new Map(staff.map((u) => [u.id, u.role]));
  const recordedBy = (actor: string): string => {
    if (actor === 'contact' || actor.startsWith('contact:')) return 'you';
    if (actor.startsWith('user:')) {
      const role = roleOf.get(actor.slice('user:'.length));
      return role ? `staff (${ROLE_TEXT[role] ?? role})` : 'staff';
    }
    return 'system';
  };

  // The wording texts the person agreed to, by purpose, version and hash.
  const wordingKeys = events.flatMap((e) => (e.wordingVersion ? [{ purposeId: e.purposeId, version: e.wordingVersion }] : []));
  const wordings =
    wordingKeys.length === 0
      ? []
      : await db.consentWording.findMany({
          where: { OR: wordingKeys },
          select: { purposeId: true, version: true, language: true, text: true, textHash: true },
        });
  const wordingOf = (purposeId: string, version: string | null, hash: string | null) =>
    wordings.find((w) => w.purposeId === purposeId && w.version === version && w.textHash === hash) ?? null;

  // Free-text values opened: the archive gives the person their data in clear text (Art. 15(3)).
  const values = Object.fromEntries(
    Object.entries(storedValues(contact, await loadFieldSealing(db, fieldKeys))).filter((e): e is [string, string] => e[1] !== null),
  );
  const fieldOf = new Map(catalogueFields.map((f) => [f.key, f]));

  // The basis the data is kept on where no consent carries it: the newest contact-level provenance on another basis.
  const keptOn = [...provenance].reverse().find((p) => p.field === null && p.legalBasis !== 'consent')?.legalBasis ?? null;
  const legalBasis = keptOn !== null && (NON_CONSENT_BASES as readonly string[]).includes(keptOn) ? keptOn : null;

  // The purposes that apply, and why.
  const why = new Map<string, Set<string>>();
  const because = (purposeId: string, reason: string) => why.set(purposeId, (why.get(purposeId) ?? new Set()).add(reason));
  for (const e of events) because(e.purposeId, 'your consent records');
  for (const m of messages) because(m.purposeId, 'messages sent to you');
  for (const l of leads) because(l.purposeId, 'handed to sales as a lead');
  for (const r of recipientsRows) because(r.campaign.purposeId, 'campaigns you were a recipient of');
  for (const d of decisions) if (d.allowed) because(d.purposeId, 'processing allowed by the policy');
  const bases = new Set(provenance.map((p) => p.legalBasis).filter((b) => b !== 'consent'));
  const catalogue = await db.purpose.findMany({
    select: { id: true, name: true, description: true, legalBasis: true, balancingTest: true, isDirectMarketing: true },
    orderBy: { id: 'asc' },
  });
  for (const p of catalogue) {
    if (!SYSTEM_PURPOSE_IDS.has(p.id) && p.legalBasis !== 'consent' && bases.has(p.legalBasis)) {
      because(p.id, `your data is kept on ${p.legalBasis.replace(/_/g, ' ')}`);
    }
  }
  const purposes = catalogue
    .filter((p) => why.has(p.id))
    .map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      legalBasis: p.legalBasis,
      balancingTest: p.legalBasis === 'legitimate_interest' ? p.balancingTest : null,
      isDirectMarketing: p.isDirectMarketing,
      appliesBecause: [...(why.get(p.id) ?? [])].sort(),
    }));

  const [recipients, retention] = await Promise.all([
    recipientsOfContact(db, contactId),
    retentionPeriodsFor(
      db,
      purposes.map((p) => p.id),
    ),
  ]);

  const campaignSubject = new Map(recipientsRows.map((r) => [`campaign:${r.campaignId}:${contactId}`, r.campaign.template.subject]));

  const subject: ArchiveSubject = {
    contact: {
      id: contact.id,
      status: contact.status,
      lifecycleStage: contact.lifecycleStage,
      timeZone: contact.timeZone,
      emailUndeliverableAt: isoOrNull(contact.emailUndeliverableAt),
      objectedToDirectMarketingAt: isoOrNull(contact.objectedAt),
      owner: contact.ownerId === null ? null : (ROLE_TEXT[roleOf.get(contact.ownerId) ?? ''] ?? 'member of staff'),
      createdAt: contact.createdAt.toISOString(),
      updatedAt: contact.updatedAt.toISOString(),
    },
    fields: Object.entries(values).map(([key, value]) => ({
      key,
      label: fieldOf.get(key)?.label ?? key,
      category: fieldOf.get(key)?.category ?? 'contact',
      value,
    })),
    consentState: states.map((s) => ({
      purposeId: s.purposeId,
      channel: s.channel,
      status: s.status,
      since: s.since.toISOString(),
      expiresAt: isoOrNull(s.expiresAt),
    })),
    interactions: interactions.map((i) => ({
      kind: i.kind,
      occurredAt: i.occurredAt.toISOString(),
      campaign: i.campaignId === null ? null : (recipientsRows.find((r) => r.campaignId === i.campaignId)?.campaign.name ?? i.campaignId),
      details: jsonObject(i.details),
    })),
    events: contactEvents.map((e) => ({
      name: e.name,
      occurredAt: e.occurredAt.toISOString(),
      receivedAt: e.receivedAt.toISOString(),
      details: jsonObject(e.details),
    })),
    scoreHistory: scores.map((s) => ({
      points: s.points,
      reason: s.reason,
      halfLifeDays: s.halfLifeDays,
      occurredAt: s.occurredAt.toISOString(),
    })),
    leads: leads.map((l) => ({
      status: l.status,
      purposeId: l.purposeId,
      channel: l.channel,
      owner: ROLE_TEXT[l.owner.role] ?? 'member of staff',
      createdAt: l.createdAt.toISOString(),
      dueAt: l.dueAt.toISOString(),
      escalatedAt: isoOrNull(l.escalatedAt),
      acceptedAt: isoOrNull(l.acceptedAt),
      recycledAt: isoOrNull(l.recycledAt),
      recycleReason: l.recycleReason,
    })),
    messages: messages.map((m) => ({
      messageId: m.messageId,
      kind: m.kind,
      subject: campaignSubject.get(m.idempotencyKey) ?? SYSTEM_SUBJECTS[m.kind] ?? null,
      purposeId: m.purposeId,
      channel: m.channel,
      status: m.status,
      createdAt: m.createdAt.toISOString(),
      sentAt: isoOrNull(m.sentAt),
    })),
    campaigns: recipientsRows.map((r) => ({
      campaign: r.campaign.name,
      outcome: r.outcome,
      reasonCodes: r.reasonCodes,
      decidedAt: isoOrNull(r.decidedAt),
      sentAt: isoOrNull(r.sentAt),
    })),
    journeys: enrollments.map((e) => ({
      journey: e.journey.name,
      version: e.journeyVersion.number,
      status: e.status,
      enteredAt: e.enteredAt.toISOString(),
      exitedAt: isoOrNull(e.exitedAt),
      exitReason: e.exitReason,
    })),
    decisions: decisions.map((d) => ({
      purposeId: d.purposeId,
      channel: d.channel,
      action: d.action,
      allowed: d.allowed,
      legalBasis: d.legalBasis,
      reasonCodes: d.reasonCodes,
      decidedAt: d.decidedAt.toISOString(),
    })),
    purposes,
    recipients,
    retention: retention.map((r) => ({
      purposeId: r.purposeId,
      policyId: r.policyId,
      period: r.period,
      anchor: r.anchor,
      action: r.action,
    })),
    art14Notices: duties.map((d) => ({
      source: d.source,
      collectedAt: d.collectedAt.toISOString(),
      dueAt: d.dueAt.toISOString(),
      status: d.status,
      notifiedAt: isoOrNull(d.notifiedAt),
      method: d.method,
      exemption: d.exemption,
    })),
  };

  const json: ZweckExportV1 = {
    format: CONTACTS_FORMAT,
    version: CONTACTS_FORMAT_VERSION,
    exportedAt: now.toISOString(),
    archive: {
      kind: 'subject_access_and_portability',
      articles: ['Art. 15 GDPR', 'Art. 20 GDPR'],
      controller: options.controller ?? { name: '', privacyNoticeUrl: '' },
      notImported: NOT_IMPORTED,
    },
    contacts: [
      {
        values,
        legalBasis,
        consents: events.map((e) => {
          const wording = wordingOf(e.purposeId, e.wordingVersion, e.wordingHash);
          return {
            id: e.id,
            purposeId: e.purposeId,
            channel: e.channel,
            kind: e.kind,
            occurredAt: e.occurredAt.toISOString(),
            recordedAt: e.recordedAt.toISOString(),
            recordedBy: recordedBy(e.actor),
            method: e.method,
            source: e.source,
            wordingVersion: e.wordingVersion,
            wordingLanguage: wording?.language ?? null,
            wordingHash: e.wordingHash,
            wordingText: wording?.text ?? null,
            expiresAt: isoOrNull(e.expiresAt),
            evidence: portableEvidence(e.evidence),
          };
        }),
        provenance: provenance.map((p) => ({
          field: p.field,
          source: p.source,
          reference: p.reference,
          legalBasis: p.legalBasis,
          recordedAt: p.recordedAt.toISOString(),
        })),
        subject,
      },
    ],
  };

  const files = archiveFiles(json);
  const zip = zipArchive(json, files, now);
  return { json, files, zip, sha256: createHash('sha256').update(zip).digest('hex') };
}
