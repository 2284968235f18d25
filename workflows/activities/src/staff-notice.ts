import { ApplicationFailure } from '@temporalio/common';
import { PURPOSE_RULE_SELECT, toPurposeRule } from '@zweck/decision-facts';
import type { Db } from '@zweck/db';
import { decide, foldLedger, type Decision } from '@zweck/policy';

/** The purpose under which staff get mail about their own work (contract); seeded with the catalogue. */
export const STAFF_NOTIFICATIONS_PURPOSE = 'staff_notifications';

/**
 * The policy's answer for a mail to a member of staff (a test send, a lead assignment, an
 * escalation). Staff are not data subjects of the marketing ledger: an active, unsuppressed
 * person with an empty ledger, so that the decision rests on the purpose's basis alone.
 */
export async function decideStaffNotice(db: Db, now: Date, sha256Hex: (text: string) => string): Promise<Decision> {
  const purposeRow = await db.purpose.findUnique({ where: { id: STAFF_NOTIFICATIONS_PURPOSE }, select: PURPOSE_RULE_SELECT });
  if (!purposeRow) {
    throw ApplicationFailure.nonRetryable(`the purpose ${STAFF_NOTIFICATIONS_PURPOSE} is missing from the catalogue`, 'PurposeMissing');
  }
  return decide(
    {
      subject: { status: 'active', isSuppressed: false, consents: foldLedger([]) },
      purpose: toPurposeRule(purposeRow),
      channel: 'email',
      action: 'send',
      now: now.toISOString(),
    },
    { sha256Hex },
  );
}
