import { Prisma, suppressionHash, type Db } from '@zweck/db';
import {
  consentKey,
  ZChannel,
  ZConsentMethod,
  ZSubjectStatus,
  type Channel,
  type ConsentMethod,
  type ConsentState,
  type ConsentStatus,
  type DecisionSubject,
  type SubjectConsents,
  type SubjectStatus,
} from '@zweck/policy';

// The consent-state projection (migration 20261129170000_consent_state): triggers on the ledger
// keep, per contact, purpose and channel, exactly what `foldLedger` gives, in the transaction of
// every ledger change. Readers that need the state of many people at once (a segment preview over
// a million contacts) read it here instead of folding every ledger.

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

/**
 * The folded consents of these contacts, read from the projection: the same value as
 * `foldLedger` over each contact's ledger (expiry is applied at read time by `consentAt`, as for
 * the fold). Every ID given maps to its consents; one without a ledger (or without a row) to none.
 */
export async function readConsentStates(
  db: Db | Prisma.TransactionClient,
  contactIds: readonly string[],
): Promise<Map<string, SubjectConsents>> {
  const ids = [...new Set(contactIds)];
  if (ids.length === 0) return new Map();
  const [states, objections] = await Promise.all([
    db.consentState.findMany({ where: { contactId: { in: ids } } }),
    db.consentObjection.findMany({ where: { contactId: { in: ids } } }),
  ]);
  const result = new Map<string, SubjectConsents>(ids.map((id) => [id, { byPurposeChannel: {}, objectedToDirectMarketingAt: null }]));
  for (const s of states) {
    const consents = result.get(s.contactId);
    if (!consents) continue;
    consents.byPurposeChannel[consentKey(s.purposeId, ZChannel.parse(s.channel))] = {
      status: s.status as ConsentState['status'],
      since: s.since.toISOString(),
      grantedAt: iso(s.grantedAt),
      confirmedAt: iso(s.confirmedAt),
      expiresAt: iso(s.expiresAt),
      grantMethod: s.grantMethod === null ? null : ZConsentMethod.parse(s.grantMethod),
    };
  }
  for (const o of objections) {
    const consents = result.get(o.contactId);
    if (consents) consents.objectedToDirectMarketingAt = o.objectedAt.toISOString();
  }
  return result;
}

/** Pending address hashes computed per round trip. */
const HASH_BATCH = 5_000;

/** A fingerprint of the suppression key (not the key): hashes made with another key are made again. */
const keyFingerprint = (suppressionKey: string): string => suppressionHash(suppressionKey, 'key-fingerprint@zweck.invalid').slice(-16);

/**
 * Bring `contact_address_hash` up to date: hash the addresses the database marked as missing or
 * stale (new contacts, changed addresses), or all of them after the key changed. Returns how many
 * were hashed. The hashes are the suppression list's (`suppressionHash`); the key stays here.
 */
export async function refreshAddressHashes(db: Db, suppressionKey: string): Promise<number> {
  const keyId = keyFingerprint(suppressionKey);
  const current = await db.contactAddressHashKey.findUnique({ where: { id: 1 }, select: { keyId: true } });
  if (current === null) {
    // No hash was made yet: every contact is pending already (the migration and the triggers mark them).
    await db.$executeRaw`INSERT INTO contact_address_hash_key (id, key_id) VALUES (1, ${keyId}) ON CONFLICT (id) DO NOTHING`;
  } else if (current.keyId !== keyId) {
    // Another key: every hash is made again. Long at a million contacts, and rare (a key rotation).
    await db.$transaction(
      async (tx) => {
        await tx.$executeRaw`LOCK TABLE contact_address_hash_key IN EXCLUSIVE MODE`;
        await tx.$executeRaw`DELETE FROM contact_address_hash`;
        await tx.$executeRaw`
          INSERT INTO contact_address_hash_pending (contact_id) SELECT id FROM contact WHERE status <> 'erased'::"ContactStatus"
          ON CONFLICT (contact_id) DO UPDATE SET version = DEFAULT`;
        await tx.$executeRaw`UPDATE contact_address_hash_key SET key_id = ${keyId} WHERE id = 1`;
      },
      { timeout: 600_000 },
    );
  }
  let hashed = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db.$queryRaw<{ id: string; version: string; email: string; erased: boolean }[]>`
      SELECT p.contact_id::text AS id, p.version::text AS version, c.email, c.status = 'erased'::"ContactStatus" AS erased
      FROM contact_address_hash_pending p JOIN contact c ON c.id = p.contact_id
      WHERE p.contact_id > ${after}::uuid ORDER BY p.contact_id LIMIT ${HASH_BATCH}::int`;
    const last = rows.at(-1);
    if (!last) return hashed;
    const live = rows.filter((r) => !r.erased);
    await db.$transaction([
      db.$executeRaw`
        INSERT INTO contact_address_hash (contact_id, address_hash)
        SELECT * FROM unnest(${live.map((r) => r.id)}::uuid[], ${live.map((r) => suppressionHash(suppressionKey, r.email))}::text[])
        ON CONFLICT (contact_id) DO UPDATE SET address_hash = EXCLUDED.address_hash`,
      // Only the marks served: an address changed meanwhile has a new version and stays pending.
      db.$executeRaw`
        DELETE FROM contact_address_hash_pending p
        USING unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.version)}::bigint[]) AS served(id, version)
        WHERE p.contact_id = served.id AND p.version = served.version`,
    ]);
    hashed += live.length;
    if (rows.length < HASH_BATCH) return hashed;
    after = last.id;
  }
}

/**
 * Everything the policy reads about a person for one purpose and channel (no rules: no quiet
 * hours, no frequency cap, no existing-customer sale), reduced to what can change its answer.
 * Members with equal facts get equal decisions, so a preview decides once per distinct tuple.
 */
export interface SubjectFactTuple {
  status: SubjectStatus;
  isSuppressed: boolean;
  /** The folded consent of the purpose and channel at `now` (a grant past its expiry reads as expired). */
  consent: ConsentStatus;
  /** How the grant in force was obtained (decides whether it still needs its double opt-in). */
  grantMethod: ConsentMethod | null;
  objectedToDirectMarketing: boolean;
  /** A hard bounce of the address (the send gate's accuracy check, not the policy's). */
  emailUndeliverable: boolean;
  /** How many contacts share these facts. */
  count: number;
}

type FactRow = {
  status: string;
  suppressed: boolean;
  undeliverable: boolean;
  objected: boolean;
  /** "status|grant method", or null: no state. */
  consent: string | null;
  past_expiry: boolean;
  n: number;
};

const CONSENT_STATUSES = new Set<string>(['granted', 'confirmed', 'withdrawn', 'expired']);

const toTuple = (r: FactRow): SubjectFactTuple => {
  const [folded = '', method = ''] = (r.consent ?? 'none|').split('|');
  if (folded !== 'none' && !CONSENT_STATUSES.has(folded)) throw new Error(`consent_facts holds an unknown status "${folded}"`);
  const status = folded as ConsentStatus;
  return {
    status: ZSubjectStatus.parse(r.status),
    isSuppressed: r.suppressed,
    // As consentAt reads it: a grant (confirmed or not) past its expiry counts as expired.
    consent: r.past_expiry && (status === 'granted' || status === 'confirmed') ? 'expired' : status,
    grantMethod: method === '' ? null : ZConsentMethod.parse(method),
    objectedToDirectMarketing: r.objected,
    emailUndeliverable: r.undeliverable,
    count: r.n,
  };
};

/**
 * Count the contacts matching `where` (a WHERE fragment over `contact c`, as packages/segments
 * compiles it) by their fact tuple for `purposeId` and `channel` at `now`, in one pass over the
 * members: the folded consents come from the contact row (`consent_facts`, kept with the
 * consent-state projection), and so does suppression (`suppressed`, kept by the database from the
 * address hashes and the suppression list, migration 20261129186000_send_path_perf), with no join.
 * Call `refreshAddressHashes` first when the suppression list is not empty, so that every member's
 * address hash is there to be matched.
 */
export async function countSubjectFacts(
  db: Db,
  where: Prisma.Sql,
  query: { purposeId: string; channel: Channel; now: Date },
): Promise<SubjectFactTuple[]> {
  const rows = await db.$transaction(
    async (tx) => {
      // Compiling this plan (JIT) costs more than it saves: the work is one pass and a small aggregate.
      await tx.$executeRaw`SET LOCAL jit = off`;
      return tx.$queryRaw<FactRow[]>(subjectFactsQuery(where, query));
    },
    { timeout: 120_000 },
  );
  return rows.map(toTuple);
}

/** The statement `countSubjectFacts` runs (exported for the benchmark's EXPLAIN ANALYZE). */
export function subjectFactsQuery(where: Prisma.Sql, query: { purposeId: string; channel: Channel; now: Date }): Prisma.Sql {
  const key = consentKey(query.purposeId, query.channel);
  const now = query.now.toISOString();
  // The consent of the purpose and channel is "status|grant method", its expiry under its own key (see the migration).
  return Prisma.sql`
    SELECT c.status::text AS status, c.suppressed, c.email_undeliverable_at IS NOT NULL AS undeliverable,
      c.objected_at IS NOT NULL AS objected, c.consent_facts ->> ${key}::text AS consent,
      coalesce((c.consent_facts ->> ${`${key}:expires_at`}::text)::timestamptz <= ${now}::timestamptz, false) AS past_expiry,
      count(*)::int AS n
    FROM contact c WHERE ${where}
    GROUP BY 1, 2, 3, 4, 5, 6`;
}

/**
 * A subject with these facts, for `evaluate`: the consent of the purpose and channel as folded
 * at `now` (already expired where due), and an objection at `now` when there was one (only its
 * presence decides). Its grounds name no grant instant; its allowed/denied and reasons are exact.
 */
export function subjectOfFacts(facts: SubjectFactTuple, purposeId: string, channel: Channel, now: Date): DecisionSubject {
  const consent: ConsentState = {
    status: facts.consent,
    since: null,
    grantedAt: null,
    confirmedAt: null,
    expiresAt: null,
    grantMethod: facts.grantMethod,
  };
  return {
    status: facts.status,
    isSuppressed: facts.isSuppressed,
    consents: {
      byPurposeChannel: facts.consent === 'none' ? {} : { [consentKey(purposeId, channel)]: consent },
      objectedToDirectMarketingAt: facts.objectedToDirectMarketing ? now.toISOString() : null,
    },
    timeZone: null,
  };
}
