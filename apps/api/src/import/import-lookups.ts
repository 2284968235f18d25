import { Prisma } from '@zweck/db';
import { fullNameOf, NAME_SIMILARITY, ORGANIZATION_SIMILARITY } from '../contacts/duplicates.ts';

/**
 * The duplicate check of contacts/duplicates.ts (same phone in E.164; similar name at a similar
 * organization), asked once per file instead of once per row: 10,000 rows are three statements,
 * not 10,000 round trips. Same expressions, same thresholds, same trigram indexes.
 */

type Tx = Pick<Prisma.TransactionClient, '$queryRaw' | '$executeRaw'>;

/** Matches reported per row and kind: enough to recognise the person, few enough to read. */
const MAX_MATCHES = 5;

export interface Probe {
  /** The caller's key for the row. */
  key: number;
  phoneE164: string | null;
  firstName: string | null;
  lastName: string | null;
  organization: string | null;
}

export interface PossibleDuplicate {
  contactId: string;
  phone: boolean;
  nameAndOrganization: boolean;
}

/**
 * Makes `%` as strict as the thresholds for the rest of the transaction, so that the trigram
 * index returns the candidates and little else (the default of pg_trgm is 0.3).
 */
export async function tightenTrigramThreshold(tx: Tx): Promise<void> {
  const threshold = Math.min(NAME_SIMILARITY, ORGANIZATION_SIMILARITY);
  await tx.$executeRaw`SELECT set_config('pg_trgm.similarity_threshold', ${String(threshold)}, true)`;
}

/** Existing records (not erased) that may be the same person as each probe, by probe key; ordered by contact ID. */
export async function findPossibleDuplicates(tx: Tx, probes: readonly Probe[]): Promise<Map<number, PossibleDuplicate[]>> {
  const found = new Map<number, Map<string, PossibleDuplicate>>();
  const add = (key: number, contactId: string, kind: 'phone' | 'nameAndOrganization') => {
    const byContact = found.get(key) ?? new Map<string, PossibleDuplicate>();
    found.set(key, byContact);
    const entry = byContact.get(contactId) ?? { contactId, phone: false, nameAndOrganization: false };
    entry[kind] = true;
    byContact.set(contactId, entry);
  };

  const phones = probes.filter((p) => p.phoneE164 !== null);
  if (phones.length > 0) {
    const rows = await tx.$queryRaw<{ key: number; id: string }[]>`
      SELECT p.key::int AS key, c.id::text AS id
      FROM unnest(${phones.map((p) => p.key)}::int[], ${phones.map((p) => p.phoneE164)}::text[]) AS p(key, phone)
      JOIN contact c ON c.phone_e164 = p.phone AND c.status <> 'erased'`;
    for (const row of rows) add(row.key, row.id, 'phone');
  }

  // A fuzzy match needs both a name and an organization; one of them alone says too little.
  const fuzzy = probes.flatMap((p) => {
    const name = fullNameOf(p.firstName, p.lastName);
    const organization = (p.organization ?? '').toLowerCase();
    return name.trim() !== '' && organization.trim() !== '' ? [{ key: p.key, name, organization }] : [];
  });
  if (fuzzy.length > 0) {
    const nameExpr = Prisma.sql`lower(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''))`;
    const rows = await tx.$queryRaw<{ key: number; id: string }[]>`
      SELECT p.key::int AS key, m.id
      FROM unnest(${fuzzy.map((p) => p.key)}::int[], ${fuzzy.map((p) => p.name)}::text[], ${fuzzy.map((p) => p.organization)}::text[])
        AS p(key, name, organization)
      CROSS JOIN LATERAL (
        SELECT c.id::text AS id
        FROM contact c
        WHERE c.status <> 'erased'
          AND ${nameExpr} % p.name
          AND lower(c.organization) % p.organization
          AND similarity(${nameExpr}, p.name) >= ${NAME_SIMILARITY}
          AND similarity(lower(c.organization), p.organization) >= ${ORGANIZATION_SIMILARITY}
        -- Ordered before the limit: a bare LIMIT makes a sequential scan look cheap, which reads
        -- every contact for each probe that has fewer matches than the limit.
        ORDER BY similarity(${nameExpr}, p.name) DESC, c.id
        LIMIT ${MAX_MATCHES}
      ) m`;
    for (const row of rows) add(row.key, row.id, 'nameAndOrganization');
  }

  return new Map([...found].map(([key, byContact]) => [key, [...byContact.values()].sort((a, b) => (a.contactId < b.contactId ? -1 : 1))]));
}

/**
 * Moves the entries recent writes left in the pending lists of the trigram indexes (GIN
 * `fastupdate`) into the indexes proper, before a file's look-ups and after its writes. Until
 * autovacuum gets to them, every fuzzy look-up scans those lists linearly: measured with 10,000
 * contacts just written, 17 ms per look-up instead of 1.3 ms (the next import's check and the
 * staff form's alike). Index maintenance only, no data changes; a failure (a role that may not
 * maintain the index) changes nothing.
 */
export async function settleTrigramIndexes(tx: Pick<Prisma.TransactionClient, '$executeRaw'>): Promise<void> {
  await tx.$executeRaw`SELECT gin_clean_pending_list('contact_full_name_trgm_idx'::regclass),
                              gin_clean_pending_list('contact_organization_trgm_idx'::regclass)`.catch(() => undefined);
}
