import { createHash } from 'node:crypto';
import type { Db } from '@zweck/db';
import { readDecisionFacts } from '@zweck/decision-facts';
import { InvalidTrackingTokenError, verifyClickToken, verifyOpenToken } from '@zweck/mail/tracking-token';
import { decide } from '@zweck/policy';
import { recordInteraction, type InteractionDeps } from '../interactions.ts';

/** The catalogue purpose of open and click tracking (seeded; the worker names it too). */
export const TRACKING_PURPOSE = 'email_tracking';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export interface TrackingServiceDeps extends InteractionDeps {
  secret: string;
  suppressionKey: string;
}

export type HitResult = { recorded: boolean };

/**
 * Records one hit of a tracked message (an open or a click), if the message exists for that
 * contact and the contact's consent to tracking still holds now: the send step asked the policy,
 * and the hit asks again against a fresh read (a withdrawal since the send wins). The decision is
 * recorded either way; the hit becomes an interaction (with the campaign) through
 * `recordInteraction`, which also tells the contact's running journeys.
 */
async function recordHit(
  deps: TrackingServiceDeps,
  claims: { m: string; k: string | null; c: string },
  kind: 'opened' | 'clicked',
  details: Record<string, string | number>,
  now: Date,
): Promise<HitResult> {
  const message = await deps.db.message.findUnique({ where: { id: claims.m }, select: { contactId: true } });
  if (!message || message.contactId !== claims.c) return { recorded: false };
  const facts = await readDecisionFacts(deps.db, deps.suppressionKey, claims.c, TRACKING_PURPOSE);
  if (!facts) return { recorded: false };
  const decision = decide(
    { subject: facts.subject, purpose: facts.purpose, channel: 'email', action: 'track', now: now.toISOString() },
    { sha256Hex },
  );
  await deps.db.policyDecision.create({
    data: {
      contactId: claims.c,
      purposeId: decision.purposeId,
      channel: decision.channel,
      action: decision.action,
      allowed: decision.allowed,
      legalBasis: decision.grounds?.legalBasis ?? null,
      reasonCodes: decision.reasons.map((r) => r.code),
      policyVersion: decision.policyVersion,
      inputDigest: decision.inputDigest,
      decidedBy: `api:tracking:${kind}`,
      decidedAt: now,
    },
  });
  if (!decision.allowed) return { recorded: false };
  await recordInteraction(deps, {
    contactId: claims.c,
    kind,
    occurredAt: now,
    campaignId: claims.k,
    details: { messageRef: claims.m, ...details },
  });
  return { recorded: true };
}

/** An open (the pixel was loaded). Throws InvalidTrackingTokenError, and records nothing, for a token that is not genuine. */
export async function recordOpen(deps: TrackingServiceDeps, token: string, now = new Date()): Promise<HitResult> {
  const claims = verifyOpenToken(deps.secret, token);
  return recordHit(deps, claims, 'opened', {}, now);
}

/**
 * A click: where the link leads, read from the stored link list the token names (never from the
 * URL: no open redirect), and the hit recorded as for an open. Throws InvalidTrackingTokenError for
 * a token that is not genuine or names no stored link; nothing is recorded then.
 */
export async function resolveClick(deps: TrackingServiceDeps, token: string, now = new Date()): Promise<HitResult & { url: string }> {
  const claims = verifyClickToken(deps.secret, token);
  const list = await deps.db.trackedLinkList.findUnique({ where: { digest: claims.l }, select: { urls: true } });
  const url = list?.urls[claims.i];
  if (url === undefined || !/^https?:\/\//i.test(url)) throw new InvalidTrackingTokenError();
  const hit = await recordHit(deps, claims, 'clicked', { link: claims.i }, now);
  return { ...hit, url };
}

/** Campaign results: unique contacts who opened and who clicked, per campaign. */
export async function engagementFor(db: Db, campaignIds: readonly string[]): Promise<Map<string, { opened: number; clicked: number }>> {
  const result = new Map(campaignIds.map((id) => [id, { opened: 0, clicked: 0 }]));
  if (campaignIds.length === 0) return result;
  const rows = await db.$queryRaw<{ campaign_id: string; kind: 'opened' | 'clicked'; contacts: number }[]>`
    SELECT campaign_id::text, kind::text AS kind, count(DISTINCT contact_id)::int AS contacts
    FROM interaction
    WHERE campaign_id = ANY(${[...campaignIds]}::uuid[]) AND kind IN ('opened', 'clicked')
    GROUP BY campaign_id, kind`;
  for (const row of rows) {
    const entry = result.get(row.campaign_id);
    if (entry) entry[row.kind] = row.contacts;
  }
  return result;
}
