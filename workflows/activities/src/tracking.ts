import type { Db } from '@zweck/db';
import { PURPOSE_RULE_SELECT, readSubjects, toPurposeRule } from '@zweck/decision-facts';
import { addTracking, type SystemValues } from '@zweck/mail/template-render';
import { escapeHtml } from '@zweck/mail/unsubscribe-token';
import { clickUrl, createClickToken, createOpenToken, linkListDigest, openPixelUrl } from '@zweck/mail/tracking-token';
import { decide, type Decision, type DecisionSubject } from '@zweck/policy';

/**
 * The catalogue purpose that open and click tracking rests on (seeded). It needs consent of its
 * own: the pixel's request and the redirect read from the person's device (§ 25(1) TDDDG) and
 * measure behaviour (Art. 6(1)(a) GDPR). Consent to receive a newsletter does not carry it.
 */
export const TRACKING_PURPOSE = 'email_tracking';

export interface TrackingDeps {
  db: Db;
  config: { publicUrl: string; unsubscribeSecret: string; suppressionKey: string };
  now: () => Date;
  /** The decision digest's hash; the policy's pure default when absent. */
  sha256Hex?: (text: string) => string;
}

export interface TrackingRequest {
  /** Everyone about to be mailed in this step (a campaign batch, or the one contact of a journey step). */
  contactIds: readonly string[];
  /** The campaign the messages belong to; null for a journey's or another step's message. */
  campaignId: string | null;
  /** Recorded with each decision, e.g. `activity:sendCampaignBatch:<campaignId>`. */
  decidedBy: string;
  /** The people as just read for the send decision, to save a second read; absent: read here. */
  subjects?: ReadonlyMap<string, { subject: DecisionSubject }>;
}

export interface MessageTracker {
  /** Whether this contact's messages in this step are tracked (the policy said yes). */
  isTracked(contactId: string): boolean;
  /**
   * The HTML to send: with a pixel and tracked links when the contact's consent covers tracking,
   * byte for byte unchanged otherwise. The links of the message's footer (unsubscribe,
   * preferences, privacy notice) stay untracked. The link list is stored before it is returned,
   * so a click can never arrive before its target is known.
   */
  apply(message: { contactId: string; messageRef: string; html: string; system: SystemValues }): Promise<string>;
}

/** Stands for a tracked link's URL until the link list's digest is known; no template can contain it by chance. */
const PLACEHOLDER = 'zweck-tracked-link-';
const PLACEHOLDER_END = '-7f3a9c';
const PLACEHOLDER_PATTERN = /zweck-tracked-link-(\d+)-7f3a9c/g;

/** Link lists already stored by this process: a campaign's recipients share one, so it is written once. */
const storedDigests = new Set<string>();
const STORED_DIGESTS_MAX = 10_000;

/**
 * Open and click tracking for the messages of one sending step, only where consent covers it.
 * Asks the policy (action `track` under `email_tracking`, channel e-mail) for every contact
 * against a fresh read, records each decision in one statement, and returns a tracker that
 * rewrites a rendered message's HTML (`addTracking`) for the contacts the policy allowed and
 * leaves everyone else's untouched: no pixel, plain links. Used by the campaign batch and by the
 * journey's send step; call it right before sending, after the send decision.
 */
export async function trackingFor(deps: TrackingDeps, request: TrackingRequest): Promise<MessageTracker> {
  const { db, config } = deps;
  const tracked = new Set<string>();
  const ids = [...new Set(request.contactIds)];
  const purposeRow =
    ids.length === 0 ? null : await db.purpose.findUnique({ where: { id: TRACKING_PURPOSE }, select: PURPOSE_RULE_SELECT });
  if (purposeRow) {
    const purpose = toPurposeRule(purposeRow);
    const subjects = request.subjects ?? (await readSubjects(db, config.suppressionKey, ids));
    const decidedAt = deps.now();
    const decisions: { contactId: string; decision: Decision }[] = [];
    for (const contactId of ids) {
      const person = subjects.get(contactId);
      if (!person) continue;
      const decision = decide(
        { subject: person.subject, purpose, channel: 'email', action: 'track', now: decidedAt.toISOString() },
        deps.sha256Hex ? { sha256Hex: deps.sha256Hex } : undefined,
      );
      decisions.push({ contactId, decision });
      if (decision.allowed) tracked.add(contactId);
    }
    await db.policyDecision.createMany({
      data: decisions.map(({ contactId, decision }) => ({
        contactId,
        purposeId: decision.purposeId,
        channel: decision.channel,
        action: decision.action,
        allowed: decision.allowed,
        legalBasis: decision.grounds?.legalBasis ?? null,
        reasonCodes: decision.reasons.map((r) => r.code),
        policyVersion: decision.policyVersion,
        inputDigest: decision.inputDigest,
        decidedBy: request.decidedBy,
        decidedAt,
      })),
    });
  }

  const storeList = async (digest: string, urls: string[]): Promise<void> => {
    if (storedDigests.has(digest)) return;
    await db.trackedLinkList.createMany({ data: [{ digest, urls }], skipDuplicates: true });
    if (storedDigests.size >= STORED_DIGESTS_MAX) storedDigests.clear();
    storedDigests.add(digest);
  };

  return {
    isTracked: (contactId) => tracked.has(contactId),
    async apply({ contactId, messageRef, html, system }) {
      if (!tracked.has(contactId)) return html;
      const untrackedUrls = [system.unsubscribeUrl, system.preferencesUrl, system.privacyNoticeUrl];
      const claims = { m: messageRef, k: request.campaignId, c: contactId };
      // One parse: each tracked link gets a placeholder while the links are collected, and the
      // placeholders become signed URLs once the list's digest is known (it names the list).
      const urls: string[] = [];
      const withPlaceholders = addTracking(html, {
        trackOpens: true,
        trackClicks: true,
        openPixelUrl: openPixelUrl(config.publicUrl, createOpenToken(config.unsubscribeSecret, claims)),
        clickUrl: (url, linkIndex) => {
          urls.push(url);
          return `${PLACEHOLDER}${linkIndex}${PLACEHOLDER_END}`;
        },
        untrackedUrls,
      });
      if (urls.length === 0) return withPlaceholders;
      const digest = linkListDigest(urls);
      await storeList(digest, urls);
      return withPlaceholders.replace(PLACEHOLDER_PATTERN, (_match, index: string) =>
        escapeHtml(clickUrl(config.publicUrl, createClickToken(config.unsubscribeSecret, { ...claims, l: digest, i: Number(index) }))),
      );
    },
  };
}
