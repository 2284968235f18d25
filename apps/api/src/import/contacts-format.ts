import { LEDGER_FOLD_ARGS, type Db, type FieldKeyRing } from '@zweck/db';
import { ZConsentEventKind, ZLegalBasis } from '@zweck/policy';
import { z } from 'zod';
import { loadFieldSealing, storedValues } from '../contacts/fields.ts';

/**
 * The portable contacts document of Zweck: what the access and portability export writes
 * (Art. 15(3), 20 GDPR; issue 5) and what the import reads, so that one installation's export
 * is another's import, and the person's data moves with its proof.
 *
 * ```jsonc
 * {
 *   "format": "zweck.contacts",
 *   "version": 1,
 *   "exportedAt": "2026-11-29T10:00:00.000Z",           // optional
 *   "contacts": [
 *     {
 *       // Values by field key of the field catalogue (built-in and catalogue fields alike).
 *       "values": { "email": "lena@example.org", "first_name": "Lena", "job_title": "CTO" },
 *       // The basis the data is kept on where no consent carries it: contract,
 *       // legitimate_interest or legal_obligation. Optional; the importer names a default.
 *       "legalBasis": "contract",
 *       // The consent ledger, every event with its proof (Art. 7(1)), in any order.
 *       "consents": [
 *         {
 *           "purposeId": "newsletter", "channel": "email", "kind": "granted",
 *           "occurredAt": "2026-10-01T09:00:00.000+02:00",
 *           "method": "web_form", "source": "website/newsletter-form",
 *           "wordingVersion": "2026-11", "wordingLanguage": "en", "wordingHash": "sha256:…",
 *           "expiresAt": null
 *         },
 *         { "purposeId": "newsletter", "channel": "email", "kind": "withdrawn",
 *           "occurredAt": "2026-10-05T10:00:00.000Z", "method": "one_click_unsubscribe", "source": "message:…" }
 *       ],
 *       // Where the contact (field null) and each value came from (Art. 14(2)(f), 15(1)(g)).
 *       "provenance": [{ "field": null, "source": "subscription_form", "reference": "newsletter",
 *                        "legalBasis": "consent", "recordedAt": "2026-10-01T07:00:00.000Z" }]
 *     }
 *   ]
 * }
 * ```
 *
 * A grant needs its full proof (method, source, wording version, time); withdrawals, objections
 * and expiries need method, source and time. The import checks each contact on its own and
 * reports it by its position (1-based), as it reports the rows of a CSV file. Never put values
 * that are not in the field catalogue into `values`: the import refuses them (Art. 5(1)(c)).
 */
export const CONTACTS_FORMAT = 'zweck.contacts';
export const CONTACTS_FORMAT_VERSION = 1;

const text = (max: number) => z.string().max(max);

/** A small JSON object: at most 2,000 characters written out. */
export const ZPortableEvidence = z
  .record(text(64), z.json())
  .refine((value) => JSON.stringify(value).length <= 2_000, 'evidence: at most 2,000 characters of JSON');

/** One ledger event. Proof fields are optional here so that the import can name what is missing, row by row. */
export const ZPortableConsent = z.object({
  purposeId: text(64),
  channel: text(16),
  kind: ZConsentEventKind,
  occurredAt: text(40).nullish(),
  method: text(40).nullish(),
  source: text(200).nullish(),
  wordingVersion: text(64).nullish(),
  wordingLanguage: text(8).nullish(),
  wordingHash: text(100).nullish(),
  expiresAt: text(40).nullish(),
  /**
   * The minimal technical evidence recorded with the event (a truncated IP address, a token's
   * hash, the import it came from). Optional and kept by the import under `evidence.original`,
   * so that the proof moves with the person's data (Art. 7(1), 20 GDPR).
   */
  evidence: ZPortableEvidence.nullish(),
});
export type PortableConsent = z.infer<typeof ZPortableConsent>;

export const ZPortableProvenance = z.object({
  field: text(63).nullable(),
  source: text(200).min(1),
  reference: text(200).nullish(),
  legalBasis: ZLegalBasis,
  recordedAt: z.iso.datetime({ offset: true }).nullish(),
});
export type PortableProvenance = z.infer<typeof ZPortableProvenance>;

export const ZPortableContact = z.object({
  values: z.record(text(63), text(2000).nullable()),
  legalBasis: ZLegalBasis.nullish(),
  consents: z.array(ZPortableConsent).max(1000).default([]),
  provenance: z.array(ZPortableProvenance).max(1000).default([]),
});
export type PortableContact = z.infer<typeof ZPortableContact>;

/** The envelope, checked before the contacts (each of which is checked on its own). */
export const ZContactsEnvelope = z.object({
  format: z.literal(CONTACTS_FORMAT),
  version: z.literal(CONTACTS_FORMAT_VERSION),
  exportedAt: z.iso.datetime({ offset: true }).nullish(),
  contacts: z.array(z.unknown()),
});

export const ZContactsDocument = ZContactsEnvelope.extend({ contacts: z.array(ZPortableContact) });
export type ContactsDocument = z.infer<typeof ZContactsDocument>;

/** The stored evidence as the document carries it: an object, or null where there is none. */
export function portableEvidence(evidence: unknown): PortableConsent['evidence'] {
  const parsed = ZPortableEvidence.safeParse(evidence);
  return parsed.success && Object.keys(parsed.data).length > 0 ? parsed.data : null;
}

/**
 * The document for the given contacts, read fresh: values, the whole ledger with its proof, and
 * the provenance, free text opened (the document is for the person or another installation, which seals it again).
 * The export of issue 5 adds its own envelope fields (requester, request ID).
 */
export async function exportContacts(db: Db, fieldKeys: FieldKeyRing, contactIds: readonly string[], now: Date): Promise<ContactsDocument> {
  const sealing = await loadFieldSealing(db, fieldKeys);
  const rows = await db.contact.findMany({
    where: { id: { in: [...contactIds] }, status: { not: 'erased' } },
    select: {
      id: true,
      email: true,
      firstName: true,
      lastName: true,
      phone: true,
      organization: true,
      attributes: true,
      consentEvents: {
        ...LEDGER_FOLD_ARGS,
        select: { ...LEDGER_FOLD_ARGS.select, source: true, wordingVersion: true, wordingHash: true },
      },
      provenance: {
        select: { field: true, source: true, reference: true, legalBasis: true, recordedAt: true },
        orderBy: { recordedAt: 'asc' },
      },
    },
  });
  // The language of a wording follows from its hash.
  const wordings = await db.consentWording.findMany({ select: { purposeId: true, version: true, language: true, textHash: true } });
  const languageOf = (purposeId: string, version: string | null, hash: string | null): string | null =>
    wordings.find((w) => w.purposeId === purposeId && w.version === version && w.textHash === hash)?.language ?? null;

  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    format: CONTACTS_FORMAT,
    version: CONTACTS_FORMAT_VERSION,
    exportedAt: now.toISOString(),
    contacts: contactIds.flatMap((id) => {
      const row = byId.get(id);
      if (!row) return [];
      const values = Object.fromEntries(Object.entries(storedValues(row, sealing)).filter((e): e is [string, string] => e[1] !== null));
      return [
        {
          values,
          legalBasis: null,
          consents: row.consentEvents.map((e) => ({
            purposeId: e.purposeId,
            channel: e.channel,
            kind: e.kind,
            occurredAt: e.occurredAt.toISOString(),
            method: e.method,
            source: e.source,
            wordingVersion: e.wordingVersion,
            wordingLanguage: languageOf(e.purposeId, e.wordingVersion, e.wordingHash),
            wordingHash: e.wordingHash,
            expiresAt: e.expiresAt?.toISOString() ?? null,
          })),
          provenance: row.provenance.map((p) => ({
            field: p.field,
            source: p.source,
            reference: p.reference,
            legalBasis: p.legalBasis,
            recordedAt: p.recordedAt.toISOString(),
          })),
        },
      ];
    }),
  };
}
