import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { RECEIPT_EVENT_SELECT, RECEIPT_MEDIA_TYPE, receiptFileName, receiptFromRow, receiptWordingWhere } from '@zweck/consent-receipt';
import { isUniqueViolation, type Db, type Prisma } from '@zweck/db';
import { createConfirmToken, createPreferencesToken, createUnsubscribeToken, unsubscribeMailto } from '@zweck/mail/unsubscribe-token';
import {
  messageIdFor,
  renderConfirmation,
  renderConsentReceiptMail,
  renderWelcome,
  SmtpRejectedError,
  type Mailer,
  type OutgoingMessage,
  type SenderIdentity,
} from '@zweck/mail';
import { consentAt, decide, NO_CONSENT, type AllowedDecision, type Channel, type Decision } from '@zweck/policy';

/** The catalogue purpose under which double opt-in confirmations are sent (seeded with the catalogue). */
export const CONFIRMATION_PURPOSE = 'consent_confirmation';

/** The catalogue purpose of answers to the person's own requests (legal obligation, Art. 12(3) GDPR). */
export const DATA_SUBJECT_RIGHTS_PURPOSE = 'data_subject_rights';

/** How a receipt mail's text names each ledger entry it carries. */
const RECORD_TEXT = {
  granted: 'consent given',
  confirmed: 'consent given and confirmed',
  withdrawn: 'consent withdrawn',
  expired: 'consent request expired unconfirmed',
  objected: 'objection to direct marketing',
} as const;

/** Node's native SHA-256 for the decision digest: the same digest as the policy's pure default, faster on the send path. */
const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
import { lockAndFoldLedger, readDecisionFacts, type DecisionFacts } from '@zweck/decision-facts';
import { createCampaignActivities } from './campaign.activities.ts';
import { createTemplateTestActivities } from './template-test.activity.ts';
import { createRepermissionActivities } from './repermission.activities.ts';
import { createLeadActivities } from './lead.activities.ts';
import { createJourneyActivities } from './journey.activities.ts';
import { createArt14Activities } from './art14.activities.ts';
import { createErasureActivities } from './erasure/erasure.activities.ts';
import type { ErasureServices } from './erasure/erase-contact.ts';
import { createDsrActivities } from './dsr.activities.ts';
import { createReviewActivities } from './review.activities.ts';
import { createRetentionActivities } from './retention.activities.ts';

export interface ActivitiesConfig {
  /** Public base URL of the API, where unsubscribe links land (HTTPS in production). */
  publicUrl: string;
  /** Domain of Message-IDs and of the unsubscribe mailto address. */
  mailDomain: string;
  unsubscribeSecret: string;
  suppressionKey: string;
  sender: SenderIdentity;
  /** The controller named in consent receipts (Art. 13(1)(a)). */
  controllerName: string;
  /** How to reach the data protection officer, as the Art. 14 notice names them (Art. 14(1)(b)); else the privacy notice is named. */
  dpoContact?: string;
}

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  config: ActivitiesConfig;
  /** The activities' clock; injected so that tests can pin it. */
  now?: () => Date;
  /** Messages in flight at once in a campaign batch (default 8; at most the SMTP pool's size helps). */
  campaignConcurrency?: number;
  /** Aborted when the worker stops gracefully: campaign batches start no new message and return. */
  stopping?: AbortSignal;
  /** Temporal, the payload key store and the mail sink, for the erasure (the worker builds them). */
  erasure?: ErasureServices;
}

/**
 * A send that failed: the SMTP answer of a permanent refusal (5xx), which is recorded and not
 * retried; anything else is thrown as a retryable failure for Temporal, whose message is the SMTP
 * answer or a fixed text, never the address.
 */
export function permanentRefusal(error: unknown): string {
  if (error instanceof SmtpRejectedError && error.isPermanent) return error.response;
  throw ApplicationFailure.retryable(error instanceof SmtpRejectedError ? error.response : 'SMTP transport error', 'SmtpTransientFailure');
}

export type SendOutcome =
  | { outcome: 'sent'; messageRef: string }
  | { outcome: 'skipped'; reasonCodes: string[]; decidedBy: 'activity' }
  | { outcome: 'failed'; smtpResponse: string };

/** Every side effect the workflows need, bound to injected dependencies (STYLE.md principle 10). */
export function createActivities({ db, mailer, config, now = () => new Date(), campaignConcurrency = 8, stopping, erasure }: ActivityDeps) {
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

  const baseUrl = config.publicUrl.replace(/\/$/, '');

  const activities = {
    /** The policy's inputs for one contact and purpose: states and times, no personal data. */
    async loadDecisionFacts(input: { contactId: string; purposeId: string }): Promise<DecisionFacts | null> {
      const facts = await readDecisionFacts(db, config.suppressionKey, input.contactId, input.purposeId);
      return facts === null
        ? null
        : { subject: facts.subject, purpose: facts.purpose, doubleOptInDeadlineHours: facts.doubleOptInDeadlineHours };
    },

    async recordDecision(input: { contactId: string; decision: Decision; decidedBy: string }): Promise<void> {
      await record(input.contactId, input.decision, input.decidedBy);
    },

    /** Re-check consent against a fresh read, then send the welcome mail at most once. */
    async sendWelcomeMail(input: { contactId: string; purposeId: string; channel: Channel; idempotencyKey: string }): Promise<SendOutcome> {
      const gated = await gate(input.contactId, input.purposeId, input.channel, 'activity:sendWelcomeMail');
      if (!gated.allowed) return gated.skipped;
      const { facts, decision } = gated;

      return sendOnce({ ...input, kind: 'welcome', decision }, (messageRef) => {
        const token = createUnsubscribeToken(config.unsubscribeSecret, {
          c: input.contactId,
          p: input.purposeId,
          ch: input.channel,
          m: messageRef,
        });
        const unsubscribeUrl = `${baseUrl}/u/${token}`;
        return {
          to: facts.email,
          ...renderWelcome({
            firstName: facts.firstName,
            purposeName: facts.purposeName,
            unsubscribeUrl,
            preferencesUrl: `${baseUrl}/preferences/${createPreferencesToken(config.unsubscribeSecret, { c: input.contactId })}`,
            sender: config.sender,
          }),
          unsubscribe: {
            url: unsubscribeUrl,
            // The address the API's inbound SMTP listener accepts (INBOUND_SMTP_PORT, same MAIL_DOMAIN).
            mailto: unsubscribeMailto(config.mailDomain, token),
          },
        };
      });
    },

    /**
     * The double opt-in request (UWG § 7(2) Nr. 2): one mail with a signed link that confirms the
     * pending grant of `grantedAt`. It goes through the same gate as every mail, under the purpose
     * `consent_confirmation` (legitimate interest with its balancing test), and only while the
     * grant is still pending.
     */
    async sendConsentConfirmation(input: {
      contactId: string;
      purposeId: string;
      channel: Channel;
      grantedAt: string;
      deadline: string;
    }): Promise<SendOutcome> {
      const target = await readDecisionFacts(db, config.suppressionKey, input.contactId, input.purposeId);
      if (target === null) return { outcome: 'skipped', reasonCodes: ['SUBJECT_ERASED'], decidedBy: 'activity' };
      const pending = consentAt(target.subject.consents, input.purposeId, input.channel, now().toISOString());
      if (pending.status !== 'granted' || pending.grantedAt !== input.grantedAt) {
        return { outcome: 'skipped', reasonCodes: ['NOTHING_TO_CONFIRM'], decidedBy: 'activity' };
      }
      const gated = await gate(input.contactId, CONFIRMATION_PURPOSE, input.channel, 'activity:sendConsentConfirmation');
      if (!gated.allowed) return gated.skipped;
      const { decision } = gated;

      const token = createConfirmToken(config.unsubscribeSecret, {
        c: input.contactId,
        p: input.purposeId,
        ch: input.channel,
        g: input.grantedAt,
        e: input.deadline,
      });
      return sendOnce(
        {
          contactId: input.contactId,
          purposeId: CONFIRMATION_PURPOSE,
          channel: input.channel,
          kind: 'consent_confirmation',
          // One confirmation per grant: a new subscription after an expiry gets a new one.
          idempotencyKey: `confirm:${input.purposeId}:${input.contactId}:${input.grantedAt}`,
          decision,
        },
        () => ({
          to: target.email,
          ...renderConfirmation({
            purposeName: target.purposeName,
            confirmUrl: `${baseUrl}/confirm/${token}`,
            deadline: new Date(input.deadline).toUTCString(),
            sender: config.sender,
          }),
          unsubscribe: null,
        }),
      );
    },

    /**
     * A copy of the person's consent records, asked for by the DPO or by the person in the
     * preference center: one mail with each ledger entry's ISO/IEC TS 27560 receipt attached as
     * JSON-LD. Gated like every mail, under `data_subject_rights`; sent at most once per
     * idempotency key; the send is audited in the same transaction that marks it sent.
     */
    async sendConsentReceipt(input: {
      contactId: string;
      consentEventIds: string[];
      requestedBy: string;
      idempotencyKey: string;
    }): Promise<SendOutcome> {
      const gated = await gate(input.contactId, DATA_SUBJECT_RIGHTS_PURPOSE, 'email', 'activity:sendConsentReceipt');
      if (!gated.allowed) return gated.skipped;
      const { facts, decision } = gated;

      const rows = await db.consentEvent.findMany({
        where: { id: { in: input.consentEventIds }, contactId: input.contactId },
        select: RECEIPT_EVENT_SELECT,
        orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
      });
      if (rows.length === 0) return { outcome: 'skipped', reasonCodes: ['NOTHING_TO_SEND'], decidedBy: 'activity' };
      const issuedAt = now();
      const controller = { name: config.controllerName, privacyNoticeUrl: config.sender.privacyNoticeUrl };
      const attachments = await Promise.all(
        rows.map(async (row) => {
          const where = receiptWordingWhere(row);
          const wording = where ? await db.consentWording.findFirst({ where, select: { language: true, text: true } }) : null;
          const receipt = receiptFromRow(row, wording, controller, issuedAt);
          return { filename: receiptFileName(row.id), content: JSON.stringify(receipt, null, 2), contentType: RECEIPT_MEDIA_TYPE };
        }),
      );

      return sendOnce(
        {
          contactId: input.contactId,
          purposeId: DATA_SUBJECT_RIGHTS_PURPOSE,
          channel: 'email',
          kind: 'consent_receipt',
          idempotencyKey: input.idempotencyKey,
          decision,
          afterSent: async (tx, messageRef) => {
            await tx.auditEvent.create({
              data: {
                actor: 'system:worker',
                action: 'consent.receipt.sent',
                entityType: 'contact',
                entityId: input.contactId,
                details: { messageRef, eventIds: rows.map((r) => r.id), requestedBy: input.requestedBy },
              },
            });
          },
        },
        () => ({
          to: facts.email,
          ...renderConsentReceiptMail({
            firstName: facts.firstName,
            records: rows.map((r) => ({ purposeName: r.purpose.name, status: RECORD_TEXT[r.kind], at: r.occurredAt.toUTCString() })),
            sender: config.sender,
          }),
          attachments,
          unsubscribe: null,
        }),
      );
    },

    /**
     * The deadline passed without a confirmation: the pending grant expires (an `expired` ledger
     * event), unless it was confirmed, withdrawn or replaced in the meantime. Serialised per
     * contact with a row lock, as the API's confirmation is.
     */
    async expirePendingConsent(input: {
      contactId: string;
      purposeId: string;
      channel: Channel;
      grantedAt: string;
    }): Promise<'expired' | 'unchanged'> {
      return db.$transaction(async (tx) => {
        const locked = await lockAndFoldLedger(tx, input.contactId);
        const state = locked ? consentAt(locked.consents, input.purposeId, input.channel, now().toISOString()) : NO_CONSENT;
        if (state.status !== 'granted' || state.grantedAt !== input.grantedAt) return 'unchanged';
        await tx.consentEvent.create({
          data: {
            contactId: input.contactId,
            purposeId: input.purposeId,
            channel: input.channel,
            kind: 'expired',
            occurredAt: now(),
            method: 'double_opt_in',
            source: 'double-opt-in deadline',
            actor: 'system:double-opt-in',
            evidence: { grantedAt: input.grantedAt },
          },
        });
        return 'expired';
      });
    },
  };

  /**
   * The send gate: a fresh read, the policy's decision for sending on this purpose and channel,
   * recorded. A "no" comes back as the activity's skip outcome with the reason codes.
   */
  async function gate(
    contactId: string,
    purposeId: string,
    channel: Channel,
    decidedBy: string,
  ): Promise<
    | { allowed: true; facts: NonNullable<Awaited<ReturnType<typeof readDecisionFacts>>>; decision: AllowedDecision }
    | { allowed: false; skipped: SendOutcome }
  > {
    const facts = await readDecisionFacts(db, config.suppressionKey, contactId, purposeId);
    if (facts === null) return { allowed: false, skipped: { outcome: 'skipped', reasonCodes: ['SUBJECT_ERASED'], decidedBy: 'activity' } };
    const decision = decide(
      { subject: facts.subject, purpose: facts.purpose, channel, action: 'send', now: now().toISOString() },
      { sha256Hex },
    );
    await record(contactId, decision, decidedBy);
    if (!decision.allowed) {
      return { allowed: false, skipped: { outcome: 'skipped', reasonCodes: decision.reasons.map((r) => r.code), decidedBy: 'activity' } };
    }
    return { allowed: true, facts, decision };
  }

  /**
   * Send at most once per idempotency key. The `message` row is written before the send: a retry
   * after a crash finds it and resends with the same Message-ID (receivers drop the copy); a row
   * already `sent` is never sent again. The decision is the policy's "yes" for this very send.
   */
  async function sendOnce(
    input: {
      contactId: string;
      purposeId: string;
      channel: Channel;
      kind: string;
      idempotencyKey: string;
      decision: AllowedDecision;
      /** Written in the transaction that marks the message sent (an audit entry), so that it exists exactly once. */
      afterSent?: (tx: Prisma.TransactionClient, messageRef: string) => Promise<void>;
    },
    /** The message for the mail-log row `messageRef` (async where it stores something first, such as tracked links). */
    build: (messageRef: string) => Omit<OutgoingMessage, 'messageId'> | Promise<Omit<OutgoingMessage, 'messageId'>>,
  ): Promise<SendOutcome> {
    const messageId = messageIdFor(input.idempotencyKey, config.mailDomain);
    const select = { id: true, status: true, smtpResponse: true } as const;
    let row: { id: string; status: 'sending' | 'sent' | 'failed'; smtpResponse: string | null };
    try {
      row = await db.message.create({
        data: {
          idempotencyKey: input.idempotencyKey,
          messageId,
          contactId: input.contactId,
          purposeId: input.purposeId,
          channel: input.channel,
          kind: input.kind,
          status: 'sending',
        },
        select,
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      row = await db.message.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey }, select });
    }
    if (row.status === 'sent') return { outcome: 'sent', messageRef: row.id };
    if (row.status === 'failed') return { outcome: 'failed', smtpResponse: row.smtpResponse ?? '' };

    try {
      const result = await mailer.send(input.decision, { ...(await build(row.id)), messageId });
      const sent = { where: { id: row.id }, data: { status: 'sent', smtpResponse: result.response, sentAt: now() } } as const;
      const { afterSent } = input;
      if (afterSent) {
        await db.$transaction(async (tx) => {
          await tx.message.update(sent);
          await afterSent(tx, row.id);
        });
      } else await db.message.update(sent);
      return { outcome: 'sent', messageRef: row.id };
    } catch (error) {
      const smtpResponse = permanentRefusal(error);
      await db.message.update({ where: { id: row.id }, data: { status: 'failed', smtpResponse } });
      // The outcome is recorded; a permanent refusal is not retried.
      return { outcome: 'failed', smtpResponse };
    }
  }

  return {
    ...activities,
    ...createCampaignActivities({
      db,
      mailer,
      config,
      now,
      sha256Hex,
      concurrency: campaignConcurrency,
      ...(stopping ? { stopping } : {}),
    }),
    ...createTemplateTestActivities({ db, mailer, config, now, sha256Hex }),
    ...createRepermissionActivities({ db, mailer, config, now, sha256Hex }),
    ...createLeadActivities({ db, mailer, config, now, sha256Hex }),
    ...createJourneyActivities({ db, config, now, gate, sendOnce }),
    ...createArt14Activities({ db, mailer, config, now, gate, sendOnce }),
    ...createErasureActivities({ db, config, now, ...(erasure ? { services: erasure } : {}) }),
    ...createDsrActivities({ db, mailer, config, now, sha256Hex }),
    ...createReviewActivities({ db, mailer, config, now }),
    ...createRetentionActivities({ db, mailer, config, now }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
