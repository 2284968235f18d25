import type { Client } from '@temporalio/client';
import type { Db } from '@zweck/db';
import { lockAndFoldLedger } from '@zweck/decision-facts';
import { verifyRenewToken } from '@zweck/mail/tracking-token';
import { audit, truncateIp } from '../audit.ts';
import { signalConsentChanged } from '../automation.ts';

/** What the page shows and renews: the purpose, the wording a click agrees to, and whether it is done. */
export interface RenewalRequest {
  askId: string;
  contactId: string;
  purposeId: string;
  purposeName: string;
  expiresAt: Date;
  wording: { version: string; text: string; textHash: string } | null;
  renewedAt: Date | null;
}

/** Reads the request a re-permission link stands for. Throws InvalidTrackingTokenError for a token that is not genuine. */
export async function readRenewal(db: Db, secret: string, token: string): Promise<RenewalRequest | null> {
  const { a: askId } = verifyRenewToken(secret, token);
  const ask = await db.repermissionAsk.findUnique({
    where: { id: askId },
    select: {
      id: true,
      contactId: true,
      purposeId: true,
      expiresAt: true,
      renewedAt: true,
      purpose: {
        select: {
          name: true,
          wordings: {
            where: { language: 'en' },
            orderBy: [{ createdAt: 'desc' }, { version: 'desc' }],
            take: 1,
            select: { version: true, text: true, textHash: true },
          },
        },
      },
    },
  });
  if (!ask) return null;
  return {
    askId: ask.id,
    contactId: ask.contactId,
    purposeId: ask.purposeId,
    purposeName: ask.purpose.name,
    expiresAt: ask.expiresAt,
    wording: ask.purpose.wordings[0] ?? null,
    renewedAt: ask.renewedAt,
  };
}

export type RenewResult = { status: 'renewed' | 'already_renewed' | 'not_possible'; purposeName: string | null };

/**
 * One click renews the consent the request was about (Art. 7(1): provable): a new `granted` ledger
 * entry with the method `re_permission`, the wording shown (version and hash), the request as its
 * source and the truncated client address as evidence. It runs as long as the old one did, from
 * now. Idempotent per request (the row lock, the request's `renewed_at` and the ledger's dedupe
 * key), and running workflows hear of the change.
 */
export async function renewByToken(
  deps: { db: Db; temporal: Client },
  secret: string,
  token: string,
  ip: string | null,
  now = new Date(),
): Promise<RenewResult> {
  const request = await readRenewal(deps.db, secret, token);
  if (!request?.wording) return { status: 'not_possible', purposeName: request?.purposeName ?? null };
  const wording = request.wording;
  const result = await deps.db.$transaction(async (tx) => {
    const locked = await lockAndFoldLedger(tx, request.contactId);
    if (!locked || locked.status === 'erased') return 'not_possible' as const;
    const ask = await tx.repermissionAsk.findUniqueOrThrow({
      where: { id: request.askId },
      select: { renewedAt: true, grantEventId: true, channel: true },
    });
    if (ask.renewedAt !== null) return 'already_renewed' as const;
    const grant = await tx.consentEvent.findUnique({ where: { id: ask.grantEventId }, select: { occurredAt: true, expiresAt: true } });
    const validity = grant?.expiresAt ? grant.expiresAt.getTime() - grant.occurredAt.getTime() : null;
    const event = await tx.consentEvent.create({
      data: {
        contactId: request.contactId,
        purposeId: request.purposeId,
        channel: ask.channel,
        kind: 'granted',
        occurredAt: now,
        expiresAt: validity !== null && validity > 0 ? new Date(now.getTime() + validity) : null,
        method: 're_permission',
        source: `repermission:${request.askId}`,
        wordingVersion: wording.version,
        wordingHash: wording.textHash,
        actor: 'contact',
        evidence: { ip: truncateIp(ip) },
        dedupeKey: `renew:${request.askId}`,
      },
      select: { id: true },
    });
    await tx.repermissionAsk.update({ where: { id: request.askId }, data: { renewedAt: now, renewalEventId: event.id } });
    await audit(tx, {
      actor: `contact:${request.contactId}`,
      action: 'consent.renew',
      entityType: 'contact',
      entityId: request.contactId,
      details: { purposeId: request.purposeId, channel: ask.channel, askId: request.askId, eventId: event.id },
    });
    return 'renewed' as const;
  });
  if (result === 'renewed') await signalConsentChanged(deps, request.contactId, request.purposeId);
  return { status: result, purposeName: request.purposeName };
}
