import { ZLegalBasis } from '@zweck/policy';
import { z } from 'zod';
import { CONTACTS_FORMAT, CONTACTS_FORMAT_VERSION, ZPortableConsent, ZPortableContact } from '../import/contacts-format.ts';

/**
 * The access and portability archive (Art. 15(3), 20 GDPR) as JSON: the product's contacts
 * document (`zweck.contacts`, version 1, `contacts-format.ts`) with one contact, extended by
 * sections the import does not read. Every addition is optional to a reader of version 1 (the
 * import's schemas drop keys they do not know), so the same file is the person's copy of
 * everything and an import into this product or another installation of it.
 *
 * What the import takes: `values` (fields and custom attributes), `legalBasis`, `consents` with
 * their proof (including the evidence, kept under `evidence.original`) and `provenance`. What it
 * leaves: everything under `subject` (interactions, events, scores, leads, messages, campaigns,
 * journeys, decisions, purposes, recipients, retention, Art. 14 notices). Those describe what this
 * installation did with the data; a new controller starts its own record of them.
 */

const iso = z.iso.datetime({ offset: true });

/** Who recorded an entry, as a category: the person, staff (by role, never a colleague's name), or the system. */
export const ZRecordedBy = z.string().max(40);

export const ZArchiveConsent = ZPortableConsent.extend({
  id: z.uuid(),
  recordedAt: iso,
  recordedBy: ZRecordedBy,
  /** The wording's full text as the person saw it, where the catalogue has it. */
  wordingText: z.string().nullable(),
});

export const ZArchiveField = z.object({
  key: z.string(),
  label: z.string(),
  category: z.string(),
  value: z.string(),
});

const ZSubject = z.object({
  contact: z.object({
    id: z.uuid(),
    status: z.string(),
    lifecycleStage: z.string(),
    timeZone: z.string().nullable(),
    emailUndeliverableAt: iso.nullable(),
    objectedToDirectMarketingAt: iso.nullable(),
    owner: z.string().nullable(),
    createdAt: iso,
    updatedAt: iso,
  }),
  fields: z.array(ZArchiveField),
  consentState: z.array(
    z.object({ purposeId: z.string(), channel: z.string(), status: z.string(), since: iso, expiresAt: iso.nullable() }),
  ),
  interactions: z.array(
    z.object({ kind: z.string(), occurredAt: iso, campaign: z.string().nullable(), details: z.record(z.string(), z.unknown()) }),
  ),
  events: z.array(z.object({ name: z.string(), occurredAt: iso, receivedAt: iso, details: z.record(z.string(), z.unknown()) })),
  scoreHistory: z.array(z.object({ points: z.number(), reason: z.string(), halfLifeDays: z.number().nullable(), occurredAt: iso })),
  leads: z.array(
    z.object({
      status: z.string(),
      purposeId: z.string(),
      channel: z.string(),
      owner: z.string(),
      createdAt: iso,
      dueAt: iso,
      escalatedAt: iso.nullable(),
      acceptedAt: iso.nullable(),
      recycledAt: iso.nullable(),
      recycleReason: z.string().nullable(),
    }),
  ),
  messages: z.array(
    z.object({
      messageId: z.string(),
      kind: z.string(),
      subject: z.string().nullable(),
      purposeId: z.string(),
      channel: z.string(),
      status: z.string(),
      createdAt: iso,
      sentAt: iso.nullable(),
    }),
  ),
  campaigns: z.array(
    z.object({
      campaign: z.string(),
      outcome: z.string(),
      reasonCodes: z.array(z.string()),
      decidedAt: iso.nullable(),
      sentAt: iso.nullable(),
    }),
  ),
  journeys: z.array(
    z.object({
      journey: z.string(),
      version: z.number(),
      status: z.string(),
      enteredAt: iso,
      exitedAt: iso.nullable(),
      exitReason: z.string().nullable(),
    }),
  ),
  decisions: z.array(
    z.object({
      purposeId: z.string(),
      channel: z.string(),
      action: z.string(),
      allowed: z.boolean(),
      legalBasis: z.string().nullable(),
      reasonCodes: z.array(z.string()),
      decidedAt: iso,
    }),
  ),
  purposes: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      legalBasis: ZLegalBasis,
      /** The legitimate interests pursued (Art. 13(1)(d), 14(2)(b)), where the basis is legitimate interest. */
      balancingTest: z.string().nullable(),
      isDirectMarketing: z.boolean(),
      /** Why this purpose applies to the person. */
      appliesBecause: z.array(z.string()),
    }),
  ),
  recipients: z.array(z.object({ processorId: z.string(), name: z.string(), noticeEmail: z.string(), purposeIds: z.array(z.string()) })),
  retention: z.array(z.object({ purposeId: z.string(), policyId: z.string(), period: z.string(), anchor: z.string(), action: z.string() })),
  art14Notices: z.array(
    z.object({
      source: z.string(),
      collectedAt: iso,
      dueAt: iso,
      status: z.string(),
      notifiedAt: iso.nullable(),
      method: z.string().nullable(),
      exemption: z.string().nullable(),
    }),
  ),
});
export type ArchiveSubject = z.infer<typeof ZSubject>;

export const ZArchiveContact = ZPortableContact.extend({
  consents: z.array(ZArchiveConsent),
  subject: ZSubject,
});
export type ArchiveContact = z.infer<typeof ZArchiveContact>;

/** The archive's JSON: a contacts document of version 1 (the import reads it) with one contact and the archive's own envelope fields. */
export const ZZweckExportV1 = z.object({
  format: z.literal(CONTACTS_FORMAT),
  version: z.literal(CONTACTS_FORMAT_VERSION),
  exportedAt: iso,
  archive: z.object({
    kind: z.literal('subject_access_and_portability'),
    articles: z.array(z.string()),
    controller: z.object({ name: z.string(), privacyNoticeUrl: z.string() }),
    /** Sections of each contact that the import does not read, and why (the README says the same). */
    notImported: z.array(z.object({ section: z.string(), why: z.string() })),
  }),
  contacts: z.tuple([ZArchiveContact]),
});
export type ZweckExportV1 = z.infer<typeof ZZweckExportV1>;
