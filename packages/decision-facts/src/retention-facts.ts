import { Prisma, type Db, type RetentionAnchor, type RetentionScopeKind, type DataCategory } from '@zweck/db';
import {
  CONTRACT_ENDED_EVENT,
  CONTRACT_STARTED_EVENT,
  retentionState,
  type RetentionAnchorFacts,
  type RetentionHold,
  type RetentionState,
} from '@zweck/policy';

/**
 * The retention policy's inputs, read from the database: which contacts a policy covers, the date
 * each one's period counts from, and the legal holds over them. One reader serves the retention
 * workflow's activities and the API's "next deadlines" preview, so that the editor's numbers are
 * the workflow's. The deadline itself is the pure `retentionState` of @zweck/policy; SQL only
 * pre-filters (with a margin) so that a page holds contacts near or past their deadline.
 *
 * Scope: a purpose covers the contacts with a consent-ledger entry under it; a purpose that does
 * not rest on consent (contract, legal obligation, legitimate interest) covers every contact. A
 * data category covers every contact when a built-in field (a column of `contact`) belongs to it,
 * else the contacts that hold a value in one of its catalogue fields.
 * Contacts that are erased or being erased are never covered; a restricted contact only when the
 * retention itself restricted it (a legal hold that may since have ended), never when the person
 * asked for the restriction (Art. 18(1)(c): data kept for their legal claims).
 */
export interface RetentionPolicyRow {
  id: string;
  scopeKind: RetentionScopeKind;
  purposeId: string | null;
  dataCategory: DataCategory | null;
  period: string;
  anchor: RetentionAnchor;
  reminderLeadDays: number;
}

export const RETENTION_POLICY_SELECT = {
  id: true,
  scopeKind: true,
  purposeId: true,
  dataCategory: true,
  period: true,
  anchor: true,
  reminderLeadDays: true,
} as const;

export interface RetentionCandidate {
  contactId: string;
  facts: RetentionAnchorFacts;
}

/** Where the SQL pre-filter may be off from date-fns' UTC calendar arithmetic (a session time zone's month ends). */
const PREFILTER_MARGIN_DAYS = 2;

async function scopeCondition(db: Db, policy: RetentionPolicyRow): Promise<Prisma.Sql> {
  if (policy.scopeKind === 'purpose') {
    if (policy.purposeId === null) return Prisma.sql`FALSE`;
    const purpose = await db.purpose.findUnique({ where: { id: policy.purposeId }, select: { legalBasis: true } });
    if (purpose === null) return Prisma.sql`FALSE`;
    if (purpose.legalBasis !== 'consent') return Prisma.sql`TRUE`;
    return Prisma.sql`EXISTS (SELECT 1 FROM consent_state s WHERE s.contact_id = c.id AND s.purpose_id = ${policy.purposeId})`;
  }
  if (policy.dataCategory === null) return Prisma.sql`FALSE`;
  const fields = await db.fieldDefinition.findMany({ where: { category: policy.dataCategory }, select: { key: true, isBuiltin: true } });
  if (fields.some((f) => f.isBuiltin)) return Prisma.sql`TRUE`;
  if (fields.length === 0) return Prisma.sql`FALSE`;
  return Prisma.sql`c.attributes ?| ${fields.map((f) => f.key)}::text[]`;
}

/** The SQL of the anchor instant for a contact `c`, matching `retentionAnchorDate`. */
function anchorExpression(policy: RetentionPolicyRow, now: Date): Prisma.Sql {
  switch (policy.anchor) {
    case 'created':
      return Prisma.sql`c.created_at`;
    case 'last_interaction':
      return Prisma.sql`GREATEST(c.created_at,
        (SELECT max(i.occurred_at) FROM interaction i WHERE i.contact_id = c.id),
        (SELECT max(e.occurred_at) FROM contact_event e WHERE e.contact_id = c.id),
        (SELECT max(l.occurred_at) FROM consent_event l WHERE l.contact_id = c.id AND l.kind IN ('granted', 'confirmed')))`;
    case 'contract_end':
      return Prisma.sql`(SELECT max(e.occurred_at) FROM contact_event e
        WHERE e.contact_id = c.id AND e.name = ${CONTRACT_ENDED_EVENT}
          AND NOT EXISTS (SELECT 1 FROM contact_event s
            WHERE s.contact_id = c.id AND s.name = ${CONTRACT_STARTED_EVENT} AND s.occurred_at > e.occurred_at))`;
    case 'consent_withdrawn': {
      const purpose =
        policy.scopeKind === 'purpose' && policy.purposeId !== null ? Prisma.sql` AND s.purpose_id = ${policy.purposeId}` : Prisma.empty;
      // No consent in force under the scope any more: the last time one ended (withdrawn, expired by an event or by its expiry).
      return Prisma.sql`(CASE WHEN EXISTS (SELECT 1 FROM consent_state s WHERE s.contact_id = c.id${purpose}
            AND s.status IN ('granted', 'confirmed') AND (s.expires_at IS NULL OR s.expires_at > ${now}::timestamptz))
          THEN NULL
          ELSE (SELECT max(CASE WHEN s.status IN ('withdrawn', 'expired') THEN s.since ELSE s.expires_at END)
            FROM consent_state s WHERE s.contact_id = c.id${purpose}) END)`;
    }
  }
}

function factsOf(policy: RetentionPolicyRow, createdAt: Date, anchorAt: Date | null): RetentionAnchorFacts {
  const at = anchorAt?.toISOString() ?? null;
  return {
    createdAt: createdAt.toISOString(),
    lastInteractionAt: policy.anchor === 'last_interaction' ? at : null,
    contractEndedAt: policy.anchor === 'contract_end' ? at : null,
    consentWithdrawnAt: policy.anchor === 'consent_withdrawn' ? at : null,
  };
}

/**
 * One keyset page of the policy's contacts whose reminder (deadline minus lead days) falls before
 * `horizon` (a margin later, so that nothing is missed; the caller asks `retentionState`).
 * `nextCursor` is null on the last page.
 */
export async function retentionCandidates(
  db: Db,
  policy: RetentionPolicyRow,
  options: { after: string | null; limit: number; horizon: Date; now: Date; contactIds?: readonly string[] },
): Promise<{ candidates: RetentionCandidate[]; nextCursor: string | null }> {
  const scope = await scopeCondition(db, policy);
  const anchor = anchorExpression(policy, options.now);
  const after = options.after === null ? Prisma.empty : Prisma.sql` AND c.id > ${options.after}::uuid`;
  const only = options.contactIds === undefined ? Prisma.empty : Prisma.sql` AND c.id = ANY(${[...options.contactIds]}::uuid[])`;
  const rows = await db.$queryRaw<Array<{ id: string; created_at: Date; anchor_at: Date | null }>>`
    SELECT q.id, q.created_at, q.anchor_at FROM (
      SELECT c.id::text AS id, c.created_at, ${anchor} AS anchor_at FROM contact c
      WHERE (c.status = 'active' OR (c.status = 'restricted' AND EXISTS (
          SELECT 1 FROM retention_run_item ri WHERE ri.contact_id = c.id AND ri.outcome = 'restricted_by_hold')))
        AND ${scope}${after}${only}
      ORDER BY c.id
    ) q
    WHERE q.anchor_at IS NOT NULL
      AND q.anchor_at + ${policy.period}::interval - make_interval(days => ${policy.reminderLeadDays + PREFILTER_MARGIN_DAYS}::int) <= ${options.horizon}::timestamptz
    ORDER BY q.id
    LIMIT ${options.limit}::int`;
  return {
    candidates: rows.map((r) => ({ contactId: r.id, facts: factsOf(policy, r.created_at, r.anchor_at) })),
    nextCursor: rows.length === options.limit ? (rows.at(-1)?.id ?? null) : null,
  };
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * The legal holds over each of these contacts under this policy: holds on the contact itself, on
 * the policy's purpose, on its data category, or (for a purpose) on a category that one of the
 * purpose's catalogue fields belongs to. Holds that ended before `now` are left out.
 */
export async function retentionHoldsFor(
  db: Db,
  policy: RetentionPolicyRow,
  contactIds: readonly string[],
  now: Date,
): Promise<Map<string, RetentionHold[]>> {
  const categories = new Set<DataCategory>();
  if (policy.dataCategory !== null) categories.add(policy.dataCategory);
  if (policy.scopeKind === 'purpose' && policy.purposeId !== null) {
    const fields = await db.purposeField.findMany({
      where: { purposeId: policy.purposeId },
      select: { field: { select: { category: true } } },
    });
    for (const f of fields) categories.add(f.field.category);
  }
  const holds = await db.legalHold.findMany({
    where: {
      AND: [
        { OR: [{ endsOn: null }, { endsOn: { gte: new Date(`${day(now)}T00:00:00.000Z`) } }] },
        {
          OR: [
            { scopeKind: 'contact', contactId: { in: [...contactIds] } },
            ...(policy.scopeKind === 'purpose' && policy.purposeId !== null
              ? [{ scopeKind: 'purpose' as const, purposeId: policy.purposeId }]
              : []),
            ...(categories.size > 0 ? [{ scopeKind: 'data_category' as const, dataCategory: { in: [...categories] } }] : []),
          ],
        },
      ],
    },
    select: { id: true, scopeKind: true, contactId: true, startsOn: true, endsOn: true },
  });
  const result = new Map<string, RetentionHold[]>();
  for (const contactId of contactIds) {
    result.set(
      contactId,
      holds
        .filter((h) => h.scopeKind !== 'contact' || h.contactId === contactId)
        .map((h) => ({ id: h.id, startsOn: day(h.startsOn), endsOn: h.endsOn === null ? null : day(h.endsOn) })),
    );
  }
  return result;
}

/** A page of the policy's contacts with where each stands on `now` (holds included). */
export async function retentionStatesPage(
  db: Db,
  policy: RetentionPolicyRow,
  options: { after: string | null; limit: number; now: Date; horizon?: Date; contactIds?: readonly string[] },
): Promise<{ states: Array<{ contactId: string; state: RetentionState }>; nextCursor: string | null }> {
  const horizon = options.horizon ?? options.now;
  const { candidates, nextCursor } = await retentionCandidates(db, policy, { ...options, horizon });
  const holds = await retentionHoldsFor(
    db,
    policy,
    candidates.map((c) => c.contactId),
    options.now,
  );
  const now = options.now.toISOString();
  const states = candidates.map((c) => ({
    contactId: c.contactId,
    state: retentionState({
      period: policy.period,
      anchor: policy.anchor,
      reminderLeadDays: policy.reminderLeadDays,
      facts: c.facts,
      holds: holds.get(c.contactId) ?? [],
      now,
    }),
  }));
  return { states, nextCursor };
}
