import { Prisma, type Db } from '@zweck/db';

/**
 * The duplicate check of staff entry and import: the same normalised e-mail address, the same
 * phone number in E.164, or a similar full name at a similar organization. Similarity is
 * PostgreSQL's trigram similarity (pg_trgm), served by GIN indexes on the lower-cased name and
 * organization, so the check stays an index look-up at a million contacts.
 */

export type DuplicateReason = 'email' | 'phone' | 'name_and_organization';

export interface DuplicateCandidate {
  contactId: string;
  reasons: DuplicateReason[];
  /** Trigram similarity of the full names, 0..1 (1 for identical). */
  nameSimilarity: number;
}

export interface DuplicateProbe {
  emailNormalized: string | null;
  phoneE164: string | null;
  firstName: string | null;
  lastName: string | null;
  organization: string | null;
}

/** Both the name and the organization must be at least this similar (pg_trgm's 0..1 scale). */
export const NAME_SIMILARITY = 0.5;
export const ORGANIZATION_SIMILARITY = 0.5;

/** The expression the trigram index is built on (migration 20261129120000_field_catalogue). */
export const fullNameOf = (firstName: string | null, lastName: string | null): string =>
  `${firstName ?? ''} ${lastName ?? ''}`.toLowerCase();

interface Row {
  id: string;
  email_match: boolean;
  phone_match: boolean;
  name_similarity: number;
  name_and_org_match: boolean;
}

export async function findDuplicates(
  db: Pick<Db, '$queryRaw'>,
  probe: DuplicateProbe,
  options: { excludeContactId?: string; limit?: number } = {},
): Promise<DuplicateCandidate[]> {
  const fullName = fullNameOf(probe.firstName, probe.lastName);
  // A fuzzy match needs both a name and an organization; one of them alone says too little.
  const fuzzy = fullName.trim() !== '' && (probe.organization ?? '').trim() !== '';
  const organization = (probe.organization ?? '').toLowerCase();
  const nameExpr = Prisma.sql`lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))`;
  const rows = await db.$queryRaw<Row[]>`
    SELECT id::text AS id,
           coalesce(email_normalized = ${probe.emailNormalized}, false) AS email_match,
           coalesce(phone_e164 = ${probe.phoneE164}, false) AS phone_match,
           similarity(${nameExpr}, ${fullName})::float8 AS name_similarity,
           coalesce(${fuzzy} AND similarity(${nameExpr}, ${fullName}) >= ${NAME_SIMILARITY}
             AND similarity(lower(organization), ${organization}) >= ${ORGANIZATION_SIMILARITY}, false) AS name_and_org_match
    FROM contact
    WHERE status <> 'erased'
      AND (${options.excludeContactId ?? null}::uuid IS NULL OR id <> ${options.excludeContactId ?? null}::uuid)
      AND (email_normalized = ${probe.emailNormalized}
           OR phone_e164 = ${probe.phoneE164}
           OR (${fuzzy} AND ${nameExpr} % ${fullName} AND lower(organization) % ${organization}))
    ORDER BY email_match DESC, phone_match DESC, name_similarity DESC
    LIMIT ${options.limit ?? 10}`;
  return rows
    .map((row) => ({
      contactId: row.id,
      reasons: [
        ...(row.email_match ? (['email'] as const) : []),
        ...(row.phone_match ? (['phone'] as const) : []),
        ...(row.name_and_org_match ? (['name_and_organization'] as const) : []),
      ],
      nameSimilarity: Math.round(row.name_similarity * 100) / 100,
    }))
    .filter((c) => c.reasons.length > 0);
}
