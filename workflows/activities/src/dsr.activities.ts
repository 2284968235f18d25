import { ApplicationFailure } from '@temporalio/common';
import { PURPOSE_RULE_SELECT, toPurposeRule } from '@zweck/decision-facts';
import { isUniqueViolation, openRequester, suppressionHash, type Db, type DsrStatus } from '@zweck/db';
import { createDsrVerifyToken } from '@zweck/mail/unsubscribe-token';
import {
  messageIdFor,
  renderArt19Notice,
  renderDsrExtensionNotice,
  renderDsrNoDataAnswer,
  renderDsrVerification,
  SmtpRejectedError,
  type Art19Change,
  type Mailer,
  type RenderedMail,
} from '@zweck/mail';
import { decide, foldLedger, type Decision } from '@zweck/policy';
import type { ActivitiesConfig } from './activities.ts';

/** The catalogue purpose of answers to the person's own requests (legal obligation, Art. 12(3) GDPR). */
const DSR_PURPOSE = 'data_subject_rights';
/** How long the verification link works (the workflow waits as long; see DSR_VERIFICATION_HOURS in the contracts). */
export const DSR_VERIFICATION_MS = 72 * 3_600_000;

export interface DsrActivityDeps {
  db: Db;
  mailer: Mailer;
  config: ActivitiesConfig;
  now: () => Date;
  sha256Hex: (text: string) => string;
}

/** What the request's workflow needs to plan: states and times, never the requester. */
export interface DsrSchedule {
  status: DsrStatus;
  isClosed: boolean;
  /** The due date in force: the extended one where there is one. */
  effectiveDueAt: string;
  /** Until when a web form request may be verified; null once verified (or for staff intake). */
  verificationDeadline: string | null;
  pendingNotices: number;
  /** The period was extended and the person has not yet been told (Art. 12(3)); absent in histories from before. */
  extensionNoticePending?: boolean;
}

/** What became of telling the person about an extension: `no_address` when there is nobody to mail. */
export type DsrExtensionNoticeOutcome = DsrMailOutcome | 'no_address';

/** One notice per extended due date: a second extension is told again. */
const extensionNoticeKey = (requestId: string, extendedDueAt: Date): string => `dsr-extension:${requestId}:${extendedDueAt.toISOString()}`;

export type DsrMailOutcome = 'sent' | 'already_sent' | 'skipped' | 'failed' | 'nothing_to_send';

const CLOSED: ReadonlySet<DsrStatus> = new Set(['completed', 'rejected']);

/** A request's reference as the person and recipients see it: short, no personal data. */
export const dsrReference = (requestId: string): string => `DSR-${requestId.slice(0, 8).toUpperCase()}`;

export function createDsrActivities({ db, mailer, config, now, sha256Hex }: DsrActivityDeps) {
  const baseUrl = config.publicUrl.replace(/\/$/, '');

  /**
   * The policy's answer for a mail the law requires (a request's verification and answer, an
   * Art. 19 notice): the purpose `data_subject_rights`, legal obligation. The addressee is not a
   * subject of the marketing ledger (an address not yet matched, or a processor's business
   * address): an active person with an empty ledger, suppressed where the address is.
   */
  async function decideObligation(isSuppressed: boolean): Promise<Decision> {
    const purposeRow = await db.purpose.findUnique({ where: { id: DSR_PURPOSE }, select: PURPOSE_RULE_SELECT });
    if (!purposeRow) throw ApplicationFailure.nonRetryable(`the purpose ${DSR_PURPOSE} is missing from the catalogue`, 'PurposeMissing');
    return decide(
      {
        subject: { status: 'active', isSuppressed, consents: foldLedger([]) },
        purpose: toPurposeRule(purposeRow),
        channel: 'email',
        action: 'send',
        now: now().toISOString(),
      },
      { sha256Hex },
    );
  }

  const decisionDetails = (decision: Decision) => ({
    purposeId: decision.purposeId,
    allowed: decision.allowed,
    legalBasis: decision.grounds?.legalBasis ?? null,
    reasonCodes: decision.reasons.map((r) => r.code),
    policyVersion: decision.policyVersion,
    inputDigest: decision.inputDigest,
  });

  const alreadyRecorded = async (idempotencyKey: string): Promise<boolean> =>
    (await db.dsrEvent.findUnique({ where: { idempotencyKey }, select: { id: true } })) !== null;

  /** A timeline entry, once per key: a retry after the send finds it (a race loses quietly). */
  async function recordOnce(requestId: string, kind: string, idempotencyKey: string, details: object): Promise<void> {
    try {
      await db.dsrEvent.create({ data: { requestId, kind, actor: 'system:worker', idempotencyKey, details } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }

  /**
   * Mail the requester's sealed address (asked again right before the send): once per key. A
   * crash between the send and the record resends with the same Message-ID. Failures name the
   * SMTP answer only, never the address.
   */
  async function mailRequester(
    request: { id: string; requesterSealed: string },
    idempotencyKey: string,
    kind: string,
    build: () => RenderedMail,
  ): Promise<DsrMailOutcome> {
    if (await alreadyRecorded(idempotencyKey)) return 'already_sent';
    return mailPerson(request.id, openRequester(config.suppressionKey, request.requesterSealed), idempotencyKey, kind, build);
  }

  /** As `mailRequester`, to an address already at hand (a matched contact's). */
  async function mailPerson(
    requestId: string,
    to: string,
    idempotencyKey: string,
    kind: string,
    build: () => RenderedMail,
  ): Promise<DsrMailOutcome> {
    const isSuppressed = (await db.suppressionEntry.count({ where: { addressHash: suppressionHash(config.suppressionKey, to) } })) > 0;
    const decision = await decideObligation(isSuppressed);
    if (!decision.allowed) {
      await recordOnce(requestId, `${kind}_skipped`, `${idempotencyKey}:skipped`, decisionDetails(decision));
      return 'skipped';
    }
    const messageId = messageIdFor(idempotencyKey, config.mailDomain);
    try {
      await mailer.send(decision, { to, ...build(), messageId, unsubscribe: null });
    } catch (error) {
      if (error instanceof SmtpRejectedError && error.isPermanent) {
        await recordOnce(requestId, `${kind}_failed`, `${idempotencyKey}:failed`, {
          smtpResponse: error.response,
          ...decisionDetails(decision),
        });
        return 'failed';
      }
      throw ApplicationFailure.retryable(
        error instanceof SmtpRejectedError ? error.response : 'SMTP transport error',
        'SmtpTransientFailure',
      );
    }
    await recordOnce(requestId, kind, idempotencyKey, { messageId, ...decisionDetails(decision) });
    return 'sent';
  }

  return {
    /** The request's status and times, for the workflow's plan; null when the request is gone. */
    async readDsrSchedule(input: { requestId: string }): Promise<DsrSchedule | null> {
      const row = await db.dataSubjectRequest.findUnique({
        where: { id: input.requestId },
        select: {
          status: true,
          dueAt: true,
          extendedDueAt: true,
          receivedAt: true,
          _count: { select: { notices: { where: { status: 'pending' } } } },
        },
      });
      if (!row) return null;
      const extensionNoticePending =
        row.extendedDueAt !== null &&
        (await db.dsrEvent.count({ where: { idempotencyKey: { startsWith: extensionNoticeKey(input.requestId, row.extendedDueAt) } } })) ===
          0;
      return {
        extensionNoticePending,
        status: row.status,
        isClosed: CLOSED.has(row.status),
        effectiveDueAt: (row.extendedDueAt ?? row.dueAt).toISOString(),
        verificationDeadline:
          row.status === 'awaiting_verification' ? new Date(row.receivedAt.getTime() + DSR_VERIFICATION_MS).toISOString() : null,
        pendingNotices: row._count.notices,
      };
    },

    /**
     * The verification link of a web form request (Art. 12(6) GDPR): a signed token that names
     * the request and its deadline, mailed to the address the person typed, under the purpose
     * `data_subject_rights`. Once per request.
     */
    async sendDsrVerification(input: { requestId: string }): Promise<DsrMailOutcome> {
      const request = await db.dataSubjectRequest.findUnique({
        where: { id: input.requestId },
        select: { id: true, type: true, status: true, receivedAt: true, requesterSealed: true },
      });
      if (!request || request.status !== 'awaiting_verification' || request.requesterSealed === null) return 'nothing_to_send';
      const deadline = new Date(request.receivedAt.getTime() + DSR_VERIFICATION_MS);
      const token = createDsrVerifyToken(config.unsubscribeSecret, { r: request.id, e: deadline.toISOString() });
      return mailRequester(
        { id: request.id, requesterSealed: request.requesterSealed },
        `dsr-verify:${request.id}`,
        'verification_sent',
        () =>
          renderDsrVerification({
            type: request.type,
            verifyUrl: `${baseUrl}/privacy-request/verify/${token}`,
            deadline: deadline.toUTCString(),
            sender: config.sender,
          }),
      );
    },

    /**
     * Nobody confirmed the request in time: it is rejected as unverified (Art. 12(6) GDPR) and
     * its sealed address is dropped. Unchanged when it was verified in the meantime.
     */
    async lapseDsrVerification(input: { requestId: string }): Promise<'lapsed' | 'unchanged'> {
      return db.$transaction(async (tx) => {
        const { count } = await tx.dataSubjectRequest.updateMany({
          where: { id: input.requestId, status: 'awaiting_verification' },
          data: {
            status: 'rejected',
            closedAt: now(),
            closingNote: 'The identity was not confirmed: the verification link was not used in time.',
            requesterSealed: null,
          },
        });
        if (count === 0) return 'unchanged';
        await tx.dsrEvent.create({
          data: {
            requestId: input.requestId,
            kind: 'status_changed',
            actor: 'system:worker',
            details: { to: 'rejected', reason: 'verification_lapsed' },
          },
        });
        return 'lapsed';
      });
    },

    /**
     * The Art. 19 notices the API recorded as pending: one mail per recipient and change, to the
     * processor's notice address, naming the request's reference, our record's ID and the kind of
     * change, nothing more. Each is marked sent (or failed) with its Message-ID and entered on the timeline.
     */
    async sendDsrNotices(input: { requestId: string }): Promise<{ sent: number; failed: number; skipped: number }> {
      const pending = await db.dsrNotice.findMany({
        where: { requestId: input.requestId, status: 'pending' },
        select: { id: true, processorId: true, change: true, request: { select: { contactId: true } } },
        orderBy: { createdAt: 'asc' },
      });
      const totals = { sent: 0, failed: 0, skipped: 0 };
      for (const notice of pending) {
        const processor = await db.processor.findUnique({ where: { id: notice.processorId }, select: { name: true, noticeEmail: true } });
        const decision = await decideObligation(false);
        // One Message-ID per notice: a retry after a crash resends with the same one, and receivers drop the copy.
        const messageId = messageIdFor(`dsr-notice:${notice.id}`, config.mailDomain);
        const mark = async (status: 'sent' | 'failed' | 'skipped', details: object) => {
          await db.$transaction(async (tx) => {
            const { count } = await tx.dsrNotice.updateMany({
              where: { id: notice.id, status: 'pending' },
              data: { status, sentAt: status === 'sent' ? now() : null, messageId: status === 'skipped' ? null : messageId },
            });
            if (count === 0) return;
            await tx.dsrEvent.create({
              data: {
                requestId: input.requestId,
                kind: `notice_${status}`,
                actor: 'system:worker',
                details: { noticeId: notice.id, processorId: notice.processorId, change: notice.change, messageId, ...details },
              },
            });
          });
          totals[status]++;
        };
        if (!processor) {
          await mark('skipped', { reason: 'PROCESSOR_GONE' });
          continue;
        }
        if (!decision.allowed) {
          await mark('skipped', decisionDetails(decision));
          continue;
        }
        try {
          await mailer.send(decision, {
            to: processor.noticeEmail,
            ...renderArt19Notice({
              processorName: processor.name,
              reference: dsrReference(input.requestId),
              subjectRef: notice.request.contactId ?? 'unknown',
              change: notice.change as Art19Change,
              sender: config.sender,
            }),
            messageId,
            unsubscribe: null,
          });
        } catch (error) {
          if (error instanceof SmtpRejectedError && error.isPermanent) {
            await mark('failed', { smtpResponse: error.response });
            continue;
          }
          throw ApplicationFailure.retryable(
            error instanceof SmtpRejectedError ? error.response : 'SMTP transport error',
            'SmtpTransientFailure',
          );
        }
        await mark('sent', decisionDetails(decision));
      }
      return totals;
    },

    /**
     * Tells the person that the period was extended, until when, and why (Art. 12(3) sentences 2
     * and 3 GDPR), under the purpose `data_subject_rights`: to the address of a web form request,
     * else to the matched contact's. Once per extended due date. Where there is nobody to mail (a
     * request taken by staff for a person we hold no address of), that is recorded and the
     * workflow asks the DPO to tell the person another way.
     */
    async sendDsrExtensionNotice(input: { requestId: string }): Promise<DsrExtensionNoticeOutcome> {
      const request = await db.dataSubjectRequest.findUnique({
        where: { id: input.requestId },
        select: {
          id: true,
          type: true,
          status: true,
          receivedAt: true,
          extendedDueAt: true,
          extensionReason: true,
          requesterSealed: true,
          contact: { select: { email: true, status: true } },
        },
      });
      if (!request || request.extendedDueAt === null || CLOSED.has(request.status)) return 'nothing_to_send';
      const key = extensionNoticeKey(request.id, request.extendedDueAt);
      if (await alreadyRecorded(key)) return 'already_sent';
      const build = (): RenderedMail =>
        renderDsrExtensionNotice({
          type: request.type,
          reference: dsrReference(request.id),
          receivedAt: request.receivedAt.toUTCString().replace(/ \d\d:\d\d:\d\d GMT$/, ''),
          newDueAt: request.extendedDueAt!.toUTCString().replace(/ \d\d:\d\d:\d\d GMT$/, ''),
          reason: request.extensionReason ?? '',
          sender: config.sender,
        });
      if (request.requesterSealed !== null) {
        return mailRequester({ id: request.id, requesterSealed: request.requesterSealed }, key, 'extension_notice_sent', build);
      }
      if (request.contact && request.contact.status !== 'erased') {
        return mailPerson(request.id, request.contact.email, key, 'extension_notice_sent', build);
      }
      await recordOnce(request.id, 'extension_notice_no_address', `${key}:no_address`, {});
      return 'no_address';
    },

    /**
     * A closed request's last steps: a completed request from an address we hold nothing about
     * gets its answer (Art. 15(1): whether or not data is processed), and the sealed address is
     * dropped in every case (Art. 5(1)(e)).
     */
    async finishDsrRequest(input: { requestId: string }): Promise<{ answered: DsrMailOutcome }> {
      const request = await db.dataSubjectRequest.findUnique({
        where: { id: input.requestId },
        select: { id: true, type: true, status: true, contactId: true, intake: true, requesterSealed: true },
      });
      if (!request || !CLOSED.has(request.status)) return { answered: 'nothing_to_send' };
      let answered: DsrMailOutcome = 'nothing_to_send';
      if (request.status === 'completed' && request.contactId === null && request.requesterSealed !== null) {
        answered = await mailRequester(
          { id: request.id, requesterSealed: request.requesterSealed },
          `dsr-answer:${request.id}`,
          'answer_sent',
          () => renderDsrNoDataAnswer({ type: request.type, reference: dsrReference(request.id), sender: config.sender }),
        );
        // A transient failure was thrown above and is retried with the address still sealed.
      }
      await db.dataSubjectRequest.updateMany({
        where: { id: request.id, requesterSealed: { not: null } },
        data: { requesterSealed: null },
      });
      return { answered };
    },
  };
}
