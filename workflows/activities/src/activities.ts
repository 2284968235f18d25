import { ApplicationFailure } from '@temporalio/common';
import { isUniqueViolation, type Db } from '@zweck/db';
import { createUnsubscribeToken } from '@zweck/mail/unsubscribe-token';
import { messageIdFor, renderWelcome, SmtpRejectedError, type Mailer, type SenderIdentity } from '@zweck/mail';
import { decide, type Channel, type Decision } from '@zweck/policy';
import { readDecisionFacts, type DecisionFacts } from './facts.ts';

export interface ActivitiesConfig {
  /** Public base URL of the API, where unsubscribe links land (HTTPS in production). */
  publicUrl: string;
  /** Domain of Message-IDs and of the unsubscribe mailto address. */
  mailDomain: string;
  unsubscribeSecret: string;
  suppressionKey: string;
  sender: SenderIdentity;
}

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  config: ActivitiesConfig;
  /** The activities' clock; injected so that tests can pin it. */
  now?: () => Date;
}

export type SendOutcome =
  | { outcome: 'sent'; messageRef: string }
  | { outcome: 'skipped'; reasonCodes: string[]; decidedBy: 'activity' }
  | { outcome: 'failed'; smtpResponse: string };

/** Every side effect the workflows need, bound to injected dependencies (STYLE.md principle 10). */
export function createActivities({ db, mailer, config, now = () => new Date() }: ActivityDeps) {
  const record = async (contactId: string, decision: Decision, decidedBy: string): Promise<void> => {
    await db.policyDecision.create({
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
    });
  };

  return {
    /** The policy's inputs for one contact and purpose: states and times, no personal data. */
    async loadDecisionFacts(input: { contactId: string; purposeId: string }): Promise<DecisionFacts | null> {
      const facts = await readDecisionFacts(db, config.suppressionKey, input.contactId, input.purposeId);
      return facts === null ? null : { subject: facts.subject, purpose: facts.purpose };
    },

    async recordDecision(input: { contactId: string; decision: Decision; decidedBy: string }): Promise<void> {
      await record(input.contactId, input.decision, input.decidedBy);
    },

    /**
     * Re-check consent against a fresh read, then send at most once per idempotency key. The
     * `message` row is written before the send: a retry after a crash finds it and resends with
     * the same Message-ID (receivers drop the copy); a row already `sent` is never sent again.
     */
    async sendWelcomeMail(input: { contactId: string; purposeId: string; channel: Channel; idempotencyKey: string }): Promise<SendOutcome> {
      const facts = await readDecisionFacts(db, config.suppressionKey, input.contactId, input.purposeId);
      if (facts === null) {
        return { outcome: 'skipped', reasonCodes: ['SUBJECT_ERASED'], decidedBy: 'activity' };
      }
      const decision = decide({
        subject: facts.subject,
        purpose: facts.purpose,
        channel: input.channel,
        action: 'send',
        now: now().toISOString(),
      });
      await record(input.contactId, decision, 'activity:sendWelcomeMail');
      if (!decision.allowed) {
        return { outcome: 'skipped', reasonCodes: decision.reasons.map((r) => r.code), decidedBy: 'activity' };
      }

      const messageId = messageIdFor(input.idempotencyKey, config.mailDomain);
      let row: { id: string; status: 'sending' | 'sent' | 'failed'; smtpResponse: string | null };
      try {
        row = await db.message.create({
          data: {
            idempotencyKey: input.idempotencyKey,
            messageId,
            contactId: input.contactId,
            purposeId: input.purposeId,
            channel: input.channel,
            kind: 'welcome',
            status: 'sending',
          },
          select: { id: true, status: true, smtpResponse: true },
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        row = await db.message.findUniqueOrThrow({
          where: { idempotencyKey: input.idempotencyKey },
          select: { id: true, status: true, smtpResponse: true },
        });
      }
      if (row.status === 'sent') return { outcome: 'sent', messageRef: row.id };
      if (row.status === 'failed') return { outcome: 'failed', smtpResponse: row.smtpResponse ?? '' };

      const token = createUnsubscribeToken(config.unsubscribeSecret, {
        c: input.contactId,
        p: input.purposeId,
        ch: input.channel,
        m: row.id,
      });
      const unsubscribeUrl = `${config.publicUrl.replace(/\/$/, '')}/u/${token}`;
      const rendered = renderWelcome({ firstName: facts.firstName, purposeName: facts.purposeName, unsubscribeUrl, sender: config.sender });
      try {
        const result = await mailer.send(decision, {
          to: facts.email,
          ...rendered,
          messageId,
          unsubscribe: {
            url: unsubscribeUrl,
            mailto: `mailto:unsubscribe@${config.mailDomain}?subject=${encodeURIComponent(`unsubscribe ${token}`)}`,
          },
        });
        await db.message.update({ where: { id: row.id }, data: { status: 'sent', smtpResponse: result.response, sentAt: now() } });
        return { outcome: 'sent', messageRef: row.id };
      } catch (error) {
        if (error instanceof SmtpRejectedError && error.isPermanent) {
          await db.message.update({ where: { id: row.id }, data: { status: 'failed', smtpResponse: error.response } });
          // The outcome is recorded; a permanent refusal is not retried.
          return { outcome: 'failed', smtpResponse: error.response };
        }
        // Transient: let Temporal retry. The message's text is the SMTP answer, never the address.
        throw ApplicationFailure.retryable(
          error instanceof SmtpRejectedError ? error.response : 'SMTP transport error',
          'SmtpTransientFailure',
        );
      }
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
