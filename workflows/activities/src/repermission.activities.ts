import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type Db } from '@zweck/db';
import { readDecisionFacts } from '@zweck/decision-facts';
import { escapeHtml, messageIdFor, type Mailer, type SenderIdentity } from '@zweck/mail';
import { createRenewToken, renewUrl } from '@zweck/mail/tracking-token';
import { consentAt, decide, ZChannel, type Decision } from '@zweck/policy';
import { permanentRefusal } from './activities.ts';
import { marketingLinks } from './marketing-mail.ts';

export interface RepermissionActivityDeps {
  db: Db;
  mailer: Mailer;
  config: { publicUrl: string; mailDomain: string; unsubscribeSecret: string; suppressionKey: string; sender: SenderIdentity };
  now: () => Date;
  sha256Hex: (text: string) => string;
}

/** One request per grant: the mail log's key, from which the Message-ID is derived. */
export const repermissionIdempotencyKey = (grantEventId: string): string => `repermission:${grantEventId}`;

type AskOutcome = 'sent' | 'skipped' | 'failed';

const MS_PER_DAY = 86_400_000;

/** The renewal mail: what runs out, when, and the one link that renews it. Plain words, no advertising. */
function renderRenewal(input: {
  purposeName: string;
  expiresAt: Date;
  renewUrl: string;
  firstName: string | null;
  system: { unsubscribeUrl: string; preferencesUrl: string; privacyNoticeUrl: string; imprint: string };
}) {
  const e = escapeHtml;
  const when = input.expiresAt.toUTCString();
  const greeting = input.firstName ? `Hello ${input.firstName},` : 'Hello,';
  const subject = `Do you want to keep receiving the ${input.purposeName}?`;
  const text = `${greeting}

your consent to "${input.purposeName}" runs out on ${when}. If you want to keep receiving it, renew it with one click:

${input.renewUrl}

If you do nothing, it simply ends then, and we will not ask again.

--
${input.system.imprint}
Privacy notice: ${input.system.privacyNoticeUrl}
Preferences: ${input.system.preferencesUrl}
Unsubscribe: ${input.system.unsubscribeUrl}`;
  const html = `<!doctype html><html><body>
<p>${e(greeting)}</p>
<p>your consent to “${e(input.purposeName)}” runs out on ${e(when)}. If you want to keep receiving it, renew it with one click:</p>
<p><a href="${e(input.renewUrl)}">Yes, keep me subscribed</a></p>
<p>If you do nothing, it simply ends then, and we will not ask again.</p>
<hr style="border:0;border-top:1px solid #d9e2ec">
<p style="font-size:12px;color:#52606d;white-space:pre-line">${e(input.system.imprint)}</p>
<p style="font-size:12px;color:#52606d"><a href="${e(input.system.privacyNoticeUrl)}">Privacy notice</a> · <a href="${e(input.system.preferencesUrl)}">Preferences</a> · <a href="${e(input.system.unsubscribeUrl)}">Unsubscribe</a></p>
</body></html>`;
  return { subject, text, html };
}

/**
 * Re-permission: before a consent expires (`consent_event.expires_at`), the person is asked once
 * whether to renew it, by a mail under that same purpose (while the consent still carries it) with
 * a signed link to a page where one click records a new grant. Every request is a
 * `repermission_ask` row keyed by the grant, so that nobody is asked twice about one consent.
 */
export function createRepermissionActivities({ db, mailer, config, now, sha256Hex }: RepermissionActivityDeps) {
  return {
    /**
     * Grants still in force that expire within `withinDays` and were not asked about yet, oldest
     * expiry first: IDs only. A grant is in force when no later ledger entry (other than its
     * confirmation) for the same purpose and channel replaced, withdrew or expired it.
     */
    async findExpiringConsents(input: { withinDays: number; limit: number }): Promise<{ grantEventIds: string[] }> {
      const from = now();
      const until = new Date(from.getTime() + input.withinDays * MS_PER_DAY);
      const rows = await db.$queryRaw<{ id: string }[]>`
        SELECT g.id::text AS id FROM consent_event g
        WHERE g.kind = 'granted' AND g.expires_at IS NOT NULL
          AND g.expires_at > ${from}::timestamptz AND g.expires_at <= ${until}::timestamptz
          AND NOT EXISTS (SELECT 1 FROM repermission_ask a WHERE a.grant_event_id = g.id)
          AND NOT EXISTS (
            SELECT 1 FROM consent_event l
            WHERE l.contact_id = g.contact_id AND l.purpose_id = g.purpose_id AND l.channel = g.channel
              AND l.kind <> 'confirmed' AND l.id <> g.id
              AND (l.occurred_at > g.occurred_at OR (l.occurred_at = g.occurred_at AND l.recorded_at > g.recorded_at)))
        ORDER BY g.expires_at, g.id
        LIMIT ${input.limit}::int`;
      return { grantEventIds: rows.map((r) => r.id) };
    },

    /**
     * Ask about each grant: the request row first (once per grant), a fresh read, the policy's
     * decision to send under the grant's own purpose (recorded), then at most one mail per grant.
     * Counts only come back.
     */
    async sendRepermissionBatch(input: { grantEventIds: string[] }): Promise<Record<AskOutcome, number>> {
      const counts: Record<AskOutcome, number> = { sent: 0, skipped: 0, failed: 0 };
      const baseUrl = config.publicUrl.replace(/\/$/, '');
      for (const grantEventId of input.grantEventIds) {
        const grant = await db.consentEvent.findUnique({
          where: { id: grantEventId },
          select: { id: true, contactId: true, purposeId: true, channel: true, kind: true, occurredAt: true, expiresAt: true },
        });
        if (!grant || grant.kind !== 'granted' || grant.expiresAt === null) continue;
        await db.repermissionAsk.createMany({
          data: [
            {
              id: randomUUID(),
              contactId: grant.contactId,
              purposeId: grant.purposeId,
              channel: grant.channel,
              grantEventId: grant.id,
              expiresAt: grant.expiresAt,
              outcome: 'pending',
            },
          ],
          skipDuplicates: true,
        });
        const ask = await db.repermissionAsk.findUniqueOrThrow({ where: { grantEventId: grant.id }, select: { id: true, outcome: true } });
        if (ask.outcome !== 'pending') continue;
        const finish = async (outcome: AskOutcome, reasonCodes: string[], messageRef: string | null = null) => {
          await db.repermissionAsk.update({ where: { id: ask.id }, data: { outcome, reasonCodes, messageRef } });
          counts[outcome]++;
        };

        const at = now();
        const facts = await readDecisionFacts(db, config.suppressionKey, grant.contactId, grant.purposeId);
        if (!facts) {
          await finish('skipped', ['SUBJECT_ERASED']);
          continue;
        }
        const channel = ZChannel.parse(grant.channel);
        const state = consentAt(facts.subject.consents, grant.purposeId, channel, at.toISOString());
        if ((state.status !== 'granted' && state.status !== 'confirmed') || state.grantedAt !== grant.occurredAt.toISOString()) {
          await finish('skipped', ['CONSENT_NOT_IN_FORCE']);
          continue;
        }
        const decision: Decision = decide(
          { subject: facts.subject, purpose: facts.purpose, channel, action: 'send', now: at.toISOString() },
          { sha256Hex },
        );
        await db.policyDecision.create({
          data: {
            contactId: grant.contactId,
            purposeId: decision.purposeId,
            channel: decision.channel,
            action: decision.action,
            allowed: decision.allowed,
            legalBasis: decision.grounds?.legalBasis ?? null,
            reasonCodes: decision.reasons.map((r) => r.code),
            policyVersion: decision.policyVersion,
            inputDigest: decision.inputDigest,
            decidedBy: 'activity:sendRepermissionBatch',
            decidedAt: at,
          },
        });
        if (!decision.allowed) {
          await finish(
            'skipped',
            decision.reasons.map((r) => r.code),
          );
          continue;
        }
        if (channel !== 'email' || facts.emailUndeliverableAt !== null) {
          await finish('skipped', [channel !== 'email' ? 'CHANNEL_NOT_EMAIL' : 'ADDRESS_UNDELIVERABLE']);
          continue;
        }

        // The mail log row before the send: a retried batch finds it and never sends twice.
        const idempotencyKey = repermissionIdempotencyKey(grant.id);
        const messageId = messageIdFor(idempotencyKey, config.mailDomain);
        const select = { id: true, status: true, smtpResponse: true } as const;
        let row: { id: string; status: 'sending' | 'sent' | 'failed'; smtpResponse: string | null };
        try {
          row = await db.message.create({
            data: {
              idempotencyKey,
              messageId,
              contactId: grant.contactId,
              purposeId: grant.purposeId,
              channel,
              kind: 're_permission',
              status: 'sending',
            },
            select,
          });
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          row = await db.message.findUniqueOrThrow({ where: { idempotencyKey }, select });
        }
        if (row.status !== 'sending') {
          await finish(row.status === 'sent' ? 'sent' : 'failed', [], row.id);
          continue;
        }
        const links = marketingLinks(config, { contactId: grant.contactId, purposeId: grant.purposeId, channel, messageRef: row.id });
        const mail = renderRenewal({
          purposeName: facts.purposeName,
          expiresAt: grant.expiresAt,
          renewUrl: renewUrl(baseUrl, createRenewToken(config.unsubscribeSecret, { a: ask.id })),
          firstName: facts.firstName,
          system: links.system,
        });
        try {
          const result = await mailer.send(decision, { to: facts.email, ...mail, messageId, unsubscribe: links.unsubscribe });
          await db.message.update({ where: { id: row.id }, data: { status: 'sent', smtpResponse: result.response, sentAt: now() } });
          await finish('sent', [], row.id);
        } catch (error) {
          const smtpResponse = permanentRefusal(error);
          await db.message.update({ where: { id: row.id }, data: { status: 'failed', smtpResponse } });
          await finish('failed', ['SMTP_REFUSED'], row.id);
        }
      }
      return counts;
    },
  };
}

export type RepermissionActivities = ReturnType<typeof createRepermissionActivities>;
