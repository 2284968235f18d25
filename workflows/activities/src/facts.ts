import type { Db } from '@zweck/db';
import { LEDGER_FOLD_ARGS, suppressionHash } from '@zweck/db';
import { foldLedger, toLedgerEvent, ZChannel, type DecisionSubject, type PurposeRuleInput } from '@zweck/policy';

export interface DecisionFacts {
  subject: DecisionSubject;
  purpose: PurposeRuleInput;
  /** How long a pending consent of this purpose waits for its double opt-in. */
  doubleOptInDeadlineHours: number;
}

/** Everything the policy needs about one contact and purpose, read fresh. No personal data in it. */
export async function readDecisionFacts(
  db: Db,
  suppressionKey: string,
  contactId: string,
  purposeId: string,
): Promise<(DecisionFacts & { email: string; firstName: string | null; purposeName: string }) | null> {
  const contact = await db.contact.findUnique({
    where: { id: contactId },
    select: {
      email: true,
      firstName: true,
      status: true,
      consentEvents: LEDGER_FOLD_ARGS,
    },
  });
  if (!contact) return null;
  const purpose = await db.purpose.findUnique({
    where: { id: purposeId },
    select: {
      id: true,
      name: true,
      legalBasis: true,
      channels: true,
      isDirectMarketing: true,
      balancingTest: true,
      requiresDoubleOptIn: true,
      allowsExistingCustomerException: true,
      doubleOptInDeadlineHours: true,
    },
  });
  if (!purpose) throw new Error(`purpose ${purposeId} is not in the catalogue`);
  const suppressed = await db.suppressionEntry.findUnique({
    where: { addressHash: suppressionHash(suppressionKey, contact.email) },
    select: { addressHash: true },
  });

  const events = contact.consentEvents.map(toLedgerEvent);

  return {
    email: contact.email,
    firstName: contact.firstName,
    purposeName: purpose.name,
    subject: { status: contact.status, isSuppressed: suppressed !== null, consents: foldLedger(events) },
    purpose: {
      id: purpose.id,
      legalBasis: purpose.legalBasis,
      channels: purpose.channels.map((c) => ZChannel.parse(c)),
      isDirectMarketing: purpose.isDirectMarketing,
      hasBalancingTest: purpose.balancingTest !== null && purpose.balancingTest.trim() !== '',
      requiresDoubleOptIn: purpose.requiresDoubleOptIn,
      allowsExistingCustomerException: purpose.allowsExistingCustomerException,
    },
    doubleOptInDeadlineHours: purpose.doubleOptInDeadlineHours,
  };
}
