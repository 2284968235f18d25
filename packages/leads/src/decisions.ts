import type { Prisma } from '@zweck/db';
import type { Decision } from '@zweck/policy';

/** The part of a Prisma client (the client or a transaction) that records a decision. */
type DecisionWriter = Pick<Prisma.TransactionClient, 'policyDecision'>;

/**
 * Record one policy decision the way every other decision is recorded (legal basis, reason codes,
 * policy version, input digest), and return its ID so that what it allowed can name it.
 */
export async function recordDecision(db: DecisionWriter, contactId: string, decision: Decision, decidedBy: string): Promise<string> {
  const row = await db.policyDecision.create({
    data: {
      contactId,
      purposeId: decision.purposeId,
      channel: decision.channel,
      action: decision.action,
      allowed: decision.allowed,
      legalBasis: decision.grounds?.legalBasis ?? null,
      reasonCodes: decision.reasons.map((r) => r.code),
      policyVersion: decision.policyVersion,
      inputDigest: decision.inputDigest,
      decidedBy,
      decidedAt: new Date(decision.decidedAt),
    },
    select: { id: true },
  });
  return row.id;
}
