import { LEDGER_FOLD_ARGS, suppressionHash, type Db, type Prisma } from '@zweck/db';
import {
  foldLedger,
  toLedgerEvent,
  type LedgerRecord,
  ZChannel,
  ZSubjectStatus,
  type DecisionSubject,
  type PurposeRuleInput,
  type SubjectConsents,
  type SubjectStatus,
} from '@zweck/policy';

export * from './consent-state.ts';

/**
 * The policy's inputs, read from the database. One reader serves the send gate (the activities)
 * and what the admin shows (the API), so that the contact page can never say "allowed" while the
 * gate refuses.
 */
export interface DecisionFacts {
  subject: DecisionSubject;
  purpose: PurposeRuleInput;
  /** How long a pending consent of this purpose waits for its double opt-in. */
  doubleOptInDeadlineHours: number;
}

/** The purpose columns the policy needs. */
export const PURPOSE_RULE_SELECT = {
  id: true,
  name: true,
  legalBasis: true,
  channels: true,
  isDirectMarketing: true,
  balancingTest: true,
  requiresDoubleOptIn: true,
  allowsExistingCustomerException: true,
  doubleOptInDeadlineHours: true,
} as const;

type PurposeRow = {
  id: string;
  legalBasis: PurposeRuleInput['legalBasis'];
  channels: string[];
  isDirectMarketing: boolean;
  balancingTest: string | null;
  requiresDoubleOptIn: boolean;
  allowsExistingCustomerException: boolean;
};

/** A catalogue row as the policy's purpose rule; an unknown channel is an error, not a skip. */
export const toPurposeRule = (purpose: PurposeRow): PurposeRuleInput => ({
  id: purpose.id,
  legalBasis: purpose.legalBasis,
  channels: purpose.channels.map((c) => ZChannel.parse(c)),
  isDirectMarketing: purpose.isDirectMarketing,
  hasBalancingTest: purpose.balancingTest !== null && purpose.balancingTest.trim() !== '',
  requiresDoubleOptIn: purpose.requiresDoubleOptIn,
  allowsExistingCustomerException: purpose.allowsExistingCustomerException,
});

/** What a message to the person may use besides the policy's facts: their values, for personalisation. */
export interface SubjectRecord {
  email: string;
  firstName: string | null;
  lastName: string | null;
  organization: string | null;
  attributes: Prisma.JsonValue;
  timeZone: string | null;
  /** A hard bounce: the address does not work (accuracy, not consent). */
  emailUndeliverableAt: Date | null;
  subject: DecisionSubject;
}

/**
 * Many people as the policy sees them, read fresh (contacts and their ledgers at once, then the
 * suppression hashes): what a campaign batch and a segment preview need. Missing IDs are absent
 * from the map. The same fold and the same suppression check as for one person.
 *
 * Plain SQL with the IDs as one array parameter, not the ORM's `findMany({ in })`: this runs for
 * every window of a campaign, and compiling those ORM queries (a different one for every list
 * length) cost the worker more than the rest of the read.
 */
export async function readSubjects(db: Db, suppressionKey: string, contactIds: readonly string[]): Promise<Map<string, SubjectRecord>> {
  const ids = [...new Set(contactIds)];
  if (ids.length === 0) return new Map();
  // One after the other, not Promise.all: `db` may be a transaction's single client, where
  // concurrent queries are deprecated by pg (and an error in pg 9).
  const contacts = await db.$queryRaw<ContactRow[]>`
      SELECT id::text AS "id", email, first_name AS "firstName", last_name AS "lastName", organization, attributes,
        time_zone AS "timeZone", email_undeliverable_at AS "emailUndeliverableAt", status::text AS "status"
      FROM contact WHERE id = ANY(${ids}::uuid[])`;
  // The ledger's fold order (LEDGER_FOLD_ARGS): time, then recording, then ID.
  const events = await db.$queryRaw<LedgerRow[]>`
      SELECT contact_id::text AS "contactId", purpose_id AS "purposeId", channel, kind::text AS "kind",
        occurred_at AS "occurredAt", expires_at AS "expiresAt", method::text AS "method"
      FROM consent_event WHERE contact_id = ANY(${ids}::uuid[])
      ORDER BY contact_id, occurred_at, recorded_at, id`;
  const ledgers = new Map<string, LedgerRow[]>();
  for (const event of events) {
    const ledger = ledgers.get(event.contactId);
    if (ledger) ledger.push(event);
    else ledgers.set(event.contactId, [event]);
  }
  const hashes = new Map(contacts.map((c) => [c.id, suppressionHash(suppressionKey, c.email)]));
  const listed = await db.$queryRaw<{ hash: string }[]>`
    SELECT address_hash AS "hash" FROM suppression_entry WHERE address_hash = ANY(${[...hashes.values()]}::text[])`;
  const suppressed = new Set(listed.map((s) => s.hash));
  return new Map(
    contacts.map(({ id, status, ...contact }) => [
      id,
      {
        ...contact,
        subject: {
          status: ZSubjectStatus.parse(status),
          isSuppressed: suppressed.has(hashes.get(id) ?? ''),
          consents: foldLedger((ledgers.get(id) ?? []).map(toLedgerEvent)),
          timeZone: contact.timeZone,
        },
      },
    ]),
  );
}

type ContactRow = Omit<SubjectRecord, 'subject'> & { id: string; status: string };
type LedgerRow = LedgerRecord & { contactId: string };

/** The person as the policy sees them (state, suppression, folded ledger), read fresh; null if gone. */
export async function readSubject(db: Db, suppressionKey: string, contactId: string): Promise<SubjectRecord | null> {
  return (await readSubjects(db, suppressionKey, [contactId])).get(contactId) ?? null;
}

/** Everything the policy needs about one contact and purpose, read fresh. No personal data in `subject` or `purpose`. */
export async function readDecisionFacts(
  db: Db,
  suppressionKey: string,
  contactId: string,
  purposeId: string,
): Promise<(DecisionFacts & Omit<SubjectRecord, 'subject'> & { purposeName: string }) | null> {
  const person = await readSubject(db, suppressionKey, contactId);
  if (!person) return null;
  const purpose = await db.purpose.findUnique({ where: { id: purposeId }, select: PURPOSE_RULE_SELECT });
  if (!purpose) throw new Error(`purpose ${purposeId} is not in the catalogue`);
  return {
    ...person,
    purposeName: purpose.name,
    purpose: toPurposeRule(purpose),
    doubleOptInDeadlineHours: purpose.doubleOptInDeadlineHours,
  };
}

/**
 * Lock the contact's row for the rest of the transaction and fold its ledger. Every writer of the
 * consent ledger (unsubscribe, confirmation, preference center, the double opt-in deadline)
 * decides under this lock, so that concurrent changes to one person's consent serialise and a
 * repeated request records nothing twice. Null when there is no such contact.
 */
export async function lockAndFoldLedger(
  tx: Prisma.TransactionClient,
  contactId: string,
): Promise<{ status: SubjectStatus; consents: SubjectConsents } | null> {
  const [row] = await tx.$queryRaw<
    { status: string }[]
  >`SELECT status::text AS status FROM contact WHERE id = ${contactId}::uuid FOR UPDATE`;
  if (!row) return null;
  const events = await tx.consentEvent.findMany({ where: { contactId }, ...LEDGER_FOLD_ARGS });
  return { status: ZSubjectStatus.parse(row.status), consents: foldLedger(events.map(toLedgerEvent)) };
}
export * from './retention-facts.ts';
