import type { Db } from '@zweck/db';
import { lockAndFoldLedger } from '@zweck/decision-facts';
import { verifyUnsubscribeToken } from '@zweck/mail/unsubscribe-token';
import { consentAt, ZChannel } from '@zweck/policy';
import { audit, truncateIp } from '../audit.ts';

export type WithdrawResult = {
  status: 'withdrawn' | 'already_withdrawn' | 'contact_gone';
  purposeName: string | null;
  contactId: string;
  purposeId: string;
};

/** What the confirmation page shows: the purpose's name, never the address. */
export async function describeToken(db: Db, secret: string, token: string): Promise<{ purposeName: string }> {
  const claims = verifyUnsubscribeToken(secret, token);
  const purpose = await db.purpose.findUnique({ where: { id: claims.p }, select: { name: true } });
  return { purposeName: purpose?.name ?? claims.p };
}

/**
 * Withdraw the consent a message's unsubscribe link stands for (Art. 7(3): as easy as giving it).
 * Idempotent: the contact's row is locked, the ledger folded, and a withdrawal is recorded only if
 * the consent is still in force, so that a second click, a retry or a mail scanner's duplicate
 * POST adds nothing.
 */
export async function withdrawByToken(db: Db, secret: string, token: string, ip: string | null, now = new Date()): Promise<WithdrawResult> {
  const claims = verifyUnsubscribeToken(secret, token);
  const channel = ZChannel.parse(claims.ch);
  return db.$transaction(async (tx) => {
    const locked = await lockAndFoldLedger(tx, claims.c);
    const purpose = await tx.purpose.findUnique({ where: { id: claims.p }, select: { name: true } });
    if (!locked || locked.status === 'erased')
      return { status: 'contact_gone', purposeName: purpose?.name ?? null, contactId: claims.c, purposeId: claims.p } as const;

    const state = consentAt(locked.consents, claims.p, channel, now.toISOString());
    if (state.status !== 'granted' && state.status !== 'confirmed') {
      return { status: 'already_withdrawn', purposeName: purpose?.name ?? null, contactId: claims.c, purposeId: claims.p } as const;
    }
    await tx.consentEvent.create({
      data: {
        contactId: claims.c,
        purposeId: claims.p,
        channel,
        kind: 'withdrawn',
        occurredAt: now,
        method: 'one_click_unsubscribe',
        source: `message:${claims.m}`,
        actor: 'contact',
        evidence: { ip: truncateIp(ip) },
      },
    });
    await audit(tx, {
      actor: `contact:${claims.c}`,
      action: 'consent.withdraw',
      entityType: 'contact',
      entityId: claims.c,
      details: { purposeId: claims.p, channel, via: 'one_click_unsubscribe' },
    });
    return { status: 'withdrawn', purposeName: purpose?.name ?? null, contactId: claims.c, purposeId: claims.p } as const;
  });
}
