import { createHash, randomUUID } from 'node:crypto';
import { isUniqueViolation, normalizeEmail, type Db, type Prisma } from '@zweck/db';
import { lockAndFoldLedger } from '@zweck/decision-facts';
import { verifyConfirmToken } from '@zweck/mail/unsubscribe-token';
import { consentAt, NO_CONSENT, ZChannel } from '@zweck/policy';
import { z } from 'zod';
import { audit, truncateIp } from '../audit.ts';
import { AppError } from '../trpc/errors.ts';

export const ZSubscribeInput = z.object({
  email: z
    .string()
    .trim()
    .pipe(z.email('Enter a valid e-mail address, like name@example.org').max(254, 'An e-mail address has at most 254 characters')),
  purposeId: z.string().min(1).max(64),
  wordingVersion: z.string().min(1).max(64),
  language: z.enum(['en', 'de']).default('en'),
});
export type SubscribeInput = z.infer<typeof ZSubscribeInput>;

type Tx = Prisma.TransactionClient;

/** The consent state of one purpose and channel, read and folded under the contact's row lock. */
async function lockedConsent(tx: Tx, contactId: string, purposeId: string, channel: z.infer<typeof ZChannel>, now: Date) {
  const locked = await lockAndFoldLedger(tx, contactId);
  return locked ? consentAt(locked.consents, purposeId, channel, now.toISOString()) : NO_CONSENT;
}

/**
 * A subscription from the public form: the person gives their address and agrees to the wording
 * shown. Records a pending grant with its proof and returns the contact whose double opt-in
 * workflow must start. An address already subscribed (pending or confirmed) records nothing new,
 * and the answer to the person is the same either way, so the form reveals no one's membership.
 */
export async function subscribe(
  db: Db,
  input: SubscribeInput,
  ip: string | null,
  now = new Date(),
): Promise<{ contactId: string; recorded: boolean }> {
  const purpose = await db.purpose.findUnique({ where: { id: input.purposeId }, select: { legalBasis: true, channels: true } });
  if (!purpose || purpose.legalBasis !== 'consent' || !purpose.channels.includes('email')) {
    throw new AppError('PURPOSE_NOT_FOUND', 'There is nothing to subscribe to under this name.', 'purposeId');
  }
  const wording = await db.consentWording.findUnique({
    where: { purposeId_version_language: { purposeId: input.purposeId, version: input.wordingVersion, language: input.language } },
    select: { textHash: true },
  });
  if (!wording) throw new AppError('WORDING_NOT_FOUND', 'This form is out of date; please reload it.', 'wordingVersion');

  const emailNormalized = normalizeEmail(input.email);
  let contactId = (await db.contact.findUnique({ where: { emailNormalized }, select: { id: true } }))?.id;
  if (!contactId) {
    const id = randomUUID();
    try {
      await db.$transaction(async (tx) => {
        await tx.contact.create({ data: { id, email: input.email, emailNormalized } });
        await tx.provenance.create({
          data: { contactId: id, source: 'subscription_form', reference: input.purposeId, legalBasis: 'consent', actor: 'contact' },
        });
        await audit(tx, {
          actor: `contact:${id}`,
          action: 'contact.create',
          entityType: 'contact',
          entityId: id,
          details: { via: 'subscription_form' },
        });
      });
      contactId = id;
    } catch (error) {
      // Two submissions raced: the other one created the contact.
      if (!isUniqueViolation(error, 'email_normalized')) throw error;
      contactId = (await db.contact.findUniqueOrThrow({ where: { emailNormalized }, select: { id: true } })).id;
    }
  }

  const id = contactId;
  const recorded = await db.$transaction(async (tx) => {
    const state = await lockedConsent(tx, id, input.purposeId, 'email', now);
    if (state.status === 'granted' || state.status === 'confirmed') return false;
    await tx.consentEvent.create({
      data: {
        contactId: id,
        purposeId: input.purposeId,
        channel: 'email',
        kind: 'granted',
        occurredAt: now,
        method: 'web_form',
        source: `subscription-form:${input.purposeId}`,
        wordingVersion: input.wordingVersion,
        wordingHash: wording.textHash,
        actor: 'contact',
        evidence: { ip: truncateIp(ip) },
      },
    });
    await audit(tx, {
      actor: `contact:${id}`,
      action: 'consent.grant',
      entityType: 'contact',
      entityId: id,
      details: { purposeId: input.purposeId, via: 'subscription_form' },
    });
    return true;
  });
  return { contactId: id, recorded };
}

export type ConfirmResult =
  | { status: 'confirmed' | 'already_confirmed'; contactId: string; purposeId: string }
  | { status: 'expired'; contactId: string; purposeId: string };

/**
 * The click on the double opt-in link (POST; GET only asks). Confirms the pending grant the token
 * names, if it is still the grant in force and the deadline has not passed, and records the proof:
 * a hash of the token and the truncated address it came from.
 */
export async function confirm(db: Db, secret: string, token: string, ip: string | null, now = new Date()): Promise<ConfirmResult> {
  const claims = verifyConfirmToken(secret, token);
  const channel = ZChannel.parse(claims.ch);
  return db.$transaction(async (tx) => {
    const state = await lockedConsent(tx, claims.c, claims.p, channel, now);
    const ref = { contactId: claims.c, purposeId: claims.p };
    if (state.status === 'confirmed' && state.grantedAt === claims.g) return { status: 'already_confirmed', ...ref } as const;
    if (state.status !== 'granted' || state.grantedAt !== claims.g || now.getTime() >= Date.parse(claims.e))
      return { status: 'expired', ...ref } as const;
    await tx.consentEvent.create({
      data: {
        contactId: claims.c,
        purposeId: claims.p,
        channel,
        kind: 'confirmed',
        occurredAt: now,
        method: 'double_opt_in',
        source: 'confirmation-link',
        actor: 'contact',
        evidence: { tokenSha256: createHash('sha256').update(token).digest('hex'), ip: truncateIp(ip) },
      },
    });
    await audit(tx, {
      actor: `contact:${claims.c}`,
      action: 'consent.confirm',
      entityType: 'contact',
      entityId: claims.c,
      details: { purposeId: claims.p, channel },
    });
    return { status: 'confirmed', ...ref } as const;
  });
}
