import type { LegalBasis, Prisma } from '@zweck/db';
import type { ConsentEventKind, ConsentMethod } from '@zweck/policy';
import { contactColumns, type ContactValues, type FieldSealing } from '../contacts/fields.ts';

/**
 * The bulk writes of an import commit: one INSERT ... SELECT FROM unnest(...) per table and
 * chunk. Prisma's createMany builds its statement in the client at about half a millisecond per
 * row (measured: 1,000 provenance rows 370 ms, the same rows through unnest 25 ms), which made
 * a 10,000-row import (some 100,000 rows written) take over a minute inside its transaction.
 * Columns are named as in the SQL migrations; every value is a bound parameter.
 */

type Tx = Pick<Prisma.TransactionClient, '$executeRaw'>;

/** 5,000 rows per statement keeps each parameter array well below PostgreSQL's limits. */
const CHUNK = 5_000;

const chunked = async <T>(items: readonly T[], write: (chunk: T[]) => Promise<number>): Promise<number> => {
  let written = 0;
  for (let i = 0; i < items.length; i += CHUNK) written += await write(items.slice(i, i + CHUNK));
  return written;
};

/** New contacts, their free-text values sealed for each. */
export async function insertContacts(
  tx: Tx,
  contacts: readonly { id: string; values: ContactValues }[],
  sealing: FieldSealing,
): Promise<number> {
  return chunked(contacts, async (chunk) => {
    const rows = chunk.map((c) => ({ id: c.id, ...contactColumns(c.values, c.id, sealing) }));
    return tx.$executeRaw`
      INSERT INTO contact (id, email, email_normalized, first_name, last_name, phone, phone_e164, organization, attributes)
      SELECT * FROM unnest(
        ${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.email)}::text[], ${rows.map((r) => r.emailNormalized)}::text[],
        ${rows.map((r) => r.firstName)}::text[], ${rows.map((r) => r.lastName)}::text[], ${rows.map((r) => r.phone)}::text[],
        ${rows.map((r) => r.phoneE164)}::text[], ${rows.map((r) => r.organization)}::text[],
        ${rows.map((r) => JSON.stringify(r.attributes))}::jsonb[])`;
  });
}

export interface ProvenanceRow {
  contactId: string;
  field: string | null;
  source: string;
  reference: string | null;
  legalBasis: LegalBasis;
  actor: string;
  recordedAt: Date;
}

export async function insertProvenance(tx: Tx, rows: readonly ProvenanceRow[]): Promise<number> {
  return chunked(
    rows,
    (chunk) => tx.$executeRaw`
      INSERT INTO provenance (id, contact_id, field, source, reference, legal_basis, actor, recorded_at)
      SELECT gen_random_uuid(), * FROM unnest(
        ${chunk.map((r) => r.contactId)}::uuid[], ${chunk.map((r) => r.field)}::text[], ${chunk.map((r) => r.source)}::text[],
        ${chunk.map((r) => r.reference)}::text[], ${chunk.map((r) => r.legalBasis)}::"LegalBasis"[], ${chunk.map((r) => r.actor)}::text[],
        ${chunk.map((r) => r.recordedAt.toISOString())}::timestamptz[])`,
  );
}

export interface ConsentEventRow {
  contactId: string;
  purposeId: string;
  channel: string;
  kind: ConsentEventKind;
  occurredAt: Date;
  expiresAt: Date | null;
  method: ConsentMethod;
  source: string;
  wordingVersion: string | null;
  wordingHash: string | null;
  actor: string;
  evidence: Record<string, unknown>;
  dedupeKey: string;
}

/** Appends to the ledger; an event whose dedupe key exists (a retried commit) is skipped. Returns the number written. */
export async function insertConsentEvents(tx: Tx, rows: readonly ConsentEventRow[]): Promise<number> {
  return chunked(
    rows,
    (chunk) => tx.$executeRaw`
      INSERT INTO consent_event (id, contact_id, purpose_id, channel, kind, occurred_at, expires_at, method, source,
                                 wording_version, wording_hash, actor, evidence, dedupe_key)
      SELECT gen_random_uuid(), * FROM unnest(
        ${chunk.map((r) => r.contactId)}::uuid[], ${chunk.map((r) => r.purposeId)}::text[], ${chunk.map((r) => r.channel)}::text[],
        ${chunk.map((r) => r.kind)}::"ConsentEventKind"[], ${chunk.map((r) => r.occurredAt.toISOString())}::timestamptz[],
        ${chunk.map((r) => r.expiresAt?.toISOString() ?? null)}::timestamptz[], ${chunk.map((r) => r.method)}::"ConsentMethod"[],
        ${chunk.map((r) => r.source)}::text[], ${chunk.map((r) => r.wordingVersion)}::text[], ${chunk.map((r) => r.wordingHash)}::text[],
        ${chunk.map((r) => r.actor)}::text[], ${chunk.map((r) => JSON.stringify(r.evidence))}::jsonb[], ${chunk.map((r) => r.dedupeKey)}::text[])
      ON CONFLICT (dedupe_key) DO NOTHING`,
  );
}

export interface AuditRow {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  /** IDs, codes and counts only: never personal data. */
  details: Record<string, string | number | boolean | null | string[]>;
}

export async function insertAuditEvents(tx: Tx, rows: readonly AuditRow[]): Promise<number> {
  return chunked(
    rows,
    (chunk) => tx.$executeRaw`
      INSERT INTO audit_event (actor, action, entity_type, entity_id, details)
      SELECT * FROM unnest(
        ${chunk.map((r) => r.actor)}::text[], ${chunk.map((r) => r.action)}::text[], ${chunk.map((r) => r.entityType)}::text[],
        ${chunk.map((r) => r.entityId)}::text[], ${chunk.map((r) => JSON.stringify(r.details))}::jsonb[])`,
  );
}

/**
 * Values a merge fills in an existing contact: only fields it lacks (the check decided which); the
 * rest stay null here. `attributes` are as stored: free text already sealed for the contact.
 */
export interface FillRow {
  id: string;
  firstName: string | null;
  lastName: string | null;
  organization: string | null;
  phone: string | null;
  phoneE164: string | null;
  attributes: Record<string, string>;
}

export async function fillContacts(tx: Tx, rows: readonly FillRow[]): Promise<number> {
  return chunked(
    rows,
    (chunk) => tx.$executeRaw`
      UPDATE contact c SET
        first_name = coalesce(u.first_name, c.first_name),
        last_name = coalesce(u.last_name, c.last_name),
        organization = coalesce(u.organization, c.organization),
        phone = coalesce(u.phone, c.phone),
        phone_e164 = CASE WHEN u.phone IS NULL THEN c.phone_e164 ELSE u.phone_e164 END,
        attributes = c.attributes || u.attributes,
        updated_at = now()
      FROM unnest(
        ${chunk.map((r) => r.id)}::uuid[], ${chunk.map((r) => r.firstName)}::text[], ${chunk.map((r) => r.lastName)}::text[],
        ${chunk.map((r) => r.organization)}::text[], ${chunk.map((r) => r.phone)}::text[], ${chunk.map((r) => r.phoneE164)}::text[],
        ${chunk.map((r) => JSON.stringify(r.attributes))}::jsonb[]
      ) AS u(id, first_name, last_name, organization, phone, phone_e164, attributes)
      WHERE c.id = u.id`,
  );
}
