import type { Client } from '@temporalio/client';
import type { Db } from '@zweck/db';
import { lockAndFoldLedger } from '@zweck/decision-facts';
import { verifyUnsubscribeToken } from '@zweck/mail/unsubscribe-token';
import { consentAt, ZChannel, type ConsentMethod } from '@zweck/policy';
import { audit, truncateIp } from '../audit.ts';
import { signalConsentChanged } from '../automation.ts';

export type WithdrawResult = {
  status: 'withdrawn' | 'already_withdrawn' | 'contact_gone';
  purposeName: string | null;
  contactId: string;
  purposeId: string;
};

/** The two ways a message's unsubscribe reaches us (RFC 2369 / RFC 8058): the HTTPS link and the mailto. */
export type UnsubscribeMethod = Extract<ConsentMethod, 'one_click_unsubscribe' | 'mailto_unsubscribe'>;

/** How the request arrived: the method recorded as proof, and the client's address (stored truncated). */
export interface UnsubscribeRequest {
  method: UnsubscribeMethod;
  /** The browser's (HTTPS) or the delivering mail server's (mailto) address. */
  ip: string | null;
}

/** What the confirmation page shows: the purpose's name, never the address. */
export async function describeToken(db: Db, secret: string, token: string): Promise<{ purposeName: string }> {
  const claims = verifyUnsubscribeToken(secret, token);
  const purpose = await db.purpose.findUnique({ where: { id: claims.p }, select: { name: true } });
  return { purposeName: purpose?.name ?? claims.p };
}

/**
 * Withdraw the consent a message's unsubscribe token stands for (Art. 7(3): as easy as giving
 * it), whichever way the token came: the one-click POST or a mail to the unsubscribe mailbox.
 * Throws InvalidUnsubscribeTokenError, and writes nothing, for a token that is not genuine.
 *
 * Idempotent: the contact's row is locked, the ledger folded, and a withdrawal is recorded only if
 * the consent is still in force, so that a second click, a second mail, a retry or a mail
 * scanner's duplicate POST adds nothing. The dedupe key (message, purpose, channel, the grant
 * withdrawn) makes the database refuse a second withdrawal of one grant by one message's token
 * even if a future path forgot the lock; a grant made later can still be withdrawn with it.
 * Once committed, a running workflow hears of the change before its next send (its activity would
 * re-check anyway).
 */
export async function withdrawByToken(
  deps: { db: Db; temporal: Client },
  secret: string,
  token: string,
  request: UnsubscribeRequest,
  now = new Date(),
): Promise<WithdrawResult> {
  const claims = verifyUnsubscribeToken(secret, token);
  const channel = ZChannel.parse(claims.ch);
  const result = await deps.db.$transaction(async (tx) => {
    const locked = await lockAndFoldLedger(tx, claims.c);
    const purpose = await tx.purpose.findUnique({ where: { id: claims.p }, select: { name: true } });
    const answer = (status: WithdrawResult['status']): WithdrawResult => ({
      status,
      purposeName: purpose?.name ?? null,
      contactId: claims.c,
      purposeId: claims.p,
    });
    if (!locked || locked.status === 'erased') return answer('contact_gone');

    const state = consentAt(locked.consents, claims.p, channel, now.toISOString());
    if (state.status !== 'granted' && state.status !== 'confirmed') return answer('already_withdrawn');
    await tx.consentEvent.create({
      data: {
        contactId: claims.c,
        purposeId: claims.p,
        channel,
        kind: 'withdrawn',
        occurredAt: now,
        method: request.method,
        source: `message:${claims.m}`,
        actor: 'contact',
        evidence: { ip: truncateIp(request.ip) },
        dedupeKey: `unsubscribe:${claims.m}:${claims.p}:${channel}:${state.grantedAt ?? 'none'}`,
      },
    });
    await audit(tx, {
      actor: `contact:${claims.c}`,
      action: 'consent.withdraw',
      entityType: 'contact',
      entityId: claims.c,
      details: { purposeId: claims.p, channel, via: request.method },
    });
    return answer('withdrawn');
  });
  if (result.status === 'withdrawn') await signalConsentChanged(deps, result.contactId, result.purposeId);
  return result;
}
