import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { isUniqueViolation, type Db } from '@zweck/db';
import { escapeHtml, messageIdFor, SmtpRejectedError, type Mailer } from '@zweck/mail';
import { z } from 'zod';
import type { ActivitiesConfig } from './activities.ts';
import { decideStaffNotice } from './staff-notice.ts';

/** What the DPO is told about. Others add a kind by one line here (the mail falls back to a generic subject). */
export const ZDpoNoticeKind = z.enum([
  'review_due',
  'review_overdue',
  'review_escalated',
  'retention_due',
  'retention_approval',
  'dsr_received',
  'dsr_due',
  'dsr_overdue',
  'dsr_extension_untold',
  'art14_due',
]);
export type DpoNoticeKind = z.infer<typeof ZDpoNoticeKind>;

/** What a notice is about; each has a page in the admin UI (SUBJECT_PATHS). */
export const ZDpoSubjectType = z.enum(['review', 'retention_policy', 'retention_run', 'data_subject_request', 'contact', 'processor']);
export type DpoSubjectType = z.infer<typeof ZDpoSubjectType>;

export interface DpoNoticeInput {
  kind: DpoNoticeKind;
  subjectType: DpoSubjectType;
  subjectId: string;
  /** ISO 8601, or null when the notice has no deadline. */
  dueAt: string | null;
  /** One inbox row and one round of mails per key, however often the notice is asked for. */
  dedupeKey: string;
  /** Mail the admins too (an escalation). */
  escalate?: boolean;
}

export const ZDpoNoticeInput = z.object({
  kind: ZDpoNoticeKind,
  subjectType: ZDpoSubjectType,
  subjectId: z.string().min(1).max(200),
  dueAt: z.iso.datetime({ offset: true }).nullable(),
  dedupeKey: z.string().min(1).max(300),
  escalate: z.boolean().optional(),
});

/** The admin UI's page of each subject type: the inbox and the mails link there, and nowhere else. */
export const SUBJECT_PATHS: Partial<Record<DpoSubjectType, (id: string) => string>> = {
  review: (id) => `/privacy/reviews/${id}`,
  retention_policy: (id) => `/privacy/retention/${id}`,
  retention_run: (id) => `/privacy/retention/runs/${id}`,
  data_subject_request: (id) => `/privacy/requests/${id}`,
  contact: (id) => `/contacts/${id}`,
  processor: (id) => `/privacy/processors/${id}`,
};

/** The page a notice links to (the inbox itself for a subject type without a page). */
export const subjectPath = (subjectType: string, subjectId: string): string =>
  SUBJECT_PATHS[subjectType as DpoSubjectType]?.(encodeURIComponent(subjectId)) ?? '/privacy/inbox';

const SUBJECT_LINES: Partial<Record<DpoNoticeKind, string>> = {
  review_due: 'A review is due soon',
  review_overdue: 'A review is overdue',
  review_escalated: 'A review is overdue and was escalated',
  retention_due: 'A retention deadline is coming up',
  retention_approval: 'A retention run waits for your approval',
  dsr_received: 'A data-subject request was received',
  dsr_due: 'A data-subject request is due soon',
  dsr_overdue: 'A data-subject request is overdue',
  dsr_extension_untold: 'Tell the person that their request was extended',
  art14_due: 'A notice under Art. 14 GDPR is due',
};

export const MAILED_ACTION = 'dpo_notice.mailed';
export const NOT_MAILED_ACTION = 'dpo_notice.not_mailed';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export interface DpoNoticeDeps {
  db: Db;
  mailer: Mailer;
  config: ActivitiesConfig;
  now?: () => Date;
}

/**
 * Put a notice into the DPO's inbox and mail the DPOs (and the admins when `escalate`) a link to
 * the subject's page. The mail names no person and no subject data (Art. 5(1)(c)): its kind, its
 * due date and a link behind the sign-in. It goes out under `staff_notifications` like every staff
 * notice: the policy is asked right before the send and the transport takes that "yes".
 *
 * Idempotent by construction: the row is unique per dedupeKey, and `mailed_at` marks the round of
 * mails done, so a second call (a retry, a repeated reminder) writes and mails nothing. A crash
 * between row and mails is caught up by the retry, with the same Message-IDs.
 */
export async function notifyDpo(deps: DpoNoticeDeps, rawInput: DpoNoticeInput): Promise<{ noticeId: string; created: boolean }> {
  const { db, mailer, config } = deps;
  const now = deps.now ?? (() => new Date());
  const parsed = ZDpoNoticeInput.safeParse(rawInput);
  // The failure names the fields only: the input carries IDs, but a caller's mistake must not echo values.
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid DPO notice: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      'InvalidDpoNotice',
    );
  }
  const input = parsed.data;
  const escalate = input.escalate === true;

  let created = false;
  let notice = await db.dpoNotice.findUnique({ where: { dedupeKey: input.dedupeKey }, select: { id: true, mailedAt: true } });
  if (!notice) {
    try {
      notice = await db.dpoNotice.create({
        data: {
          kind: input.kind,
          subjectType: input.subjectType,
          subjectId: input.subjectId,
          dueAt: input.dueAt === null ? null : new Date(input.dueAt),
          dedupeKey: input.dedupeKey,
          escalated: escalate,
        },
        select: { id: true, mailedAt: true },
      });
      created = true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent call with the same key won the insert: it mails, this one does nothing.
      const winner = await db.dpoNotice.findUniqueOrThrow({ where: { dedupeKey: input.dedupeKey }, select: { id: true } });
      return { noticeId: winner.id, created: false };
    }
  }
  if (notice.mailedAt !== null) return { noticeId: notice.id, created };
  // A repeated call for a notice whose mails were refused by the policy: recorded once, not retried.
  if (!created && (await db.auditEvent.count({ where: { action: NOT_MAILED_ACTION, entityId: notice.id } })) > 0) {
    return { noticeId: notice.id, created };
  }

  const decision = await decideStaffNotice(db, now(), sha256Hex);
  if (!decision.allowed) {
    await db.auditEvent.create({
      data: {
        actor: 'system:worker',
        action: NOT_MAILED_ACTION,
        entityType: 'dpo_notice',
        entityId: notice.id,
        details: { kind: input.kind, reasonCodes: decision.reasons.map((r) => r.code), policyVersion: decision.policyVersion },
      },
    });
    return { noticeId: notice.id, created };
  }

  const roles: Array<'dpo' | 'admin'> = escalate ? ['dpo', 'admin'] : ['dpo'];
  const recipients = await db.user.findMany({
    where: { role: { in: roles }, isActive: true },
    select: { id: true, email: true },
    orderBy: { id: 'asc' },
  });
  const link = `${config.publicUrl.replace(/\/$/, '')}${subjectPath(input.subjectType, input.subjectId)}`;
  const subject = SUBJECT_LINES[input.kind] ?? 'A notice for the data protection officer';
  const lines = [
    `${subject}.`,
    ...(input.dueAt === null ? [] : [`Due: ${new Date(input.dueAt).toUTCString()}`]),
    ...(escalate ? ['You receive this because it was escalated to the administrators.'] : []),
    'Open it in Zweck (sign-in required):',
  ];
  const text = [...lines, '', link, '', config.sender.imprint].join('\n');
  const html =
    lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('') +
    `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p><p style="color:#666">${escapeHtml(config.sender.imprint)}</p>`;

  for (const user of recipients) {
    try {
      await mailer.send(decision, {
        to: user.email,
        subject,
        text,
        html,
        messageId: messageIdFor(`dpo-notice:${notice.id}:${user.id}`, config.mailDomain),
        unsubscribe: null,
      });
    } catch (error) {
      // The message names the SMTP answer, never the address.
      throw ApplicationFailure.retryable(
        error instanceof SmtpRejectedError ? error.response : 'SMTP transport error',
        'SmtpTransientFailure',
      );
    }
  }
  await db.$transaction([
    db.dpoNotice.update({ where: { id: notice.id }, data: { mailedAt: now() } }),
    db.auditEvent.create({
      data: {
        actor: 'system:worker',
        action: MAILED_ACTION,
        entityType: 'dpo_notice',
        entityId: notice.id,
        details: {
          kind: input.kind,
          recipients: recipients.map((u) => u.id),
          escalated: escalate,
          purposeId: decision.purposeId,
          legalBasis: decision.grounds.legalBasis,
          policyVersion: decision.policyVersion,
          inputDigest: decision.inputDigest,
        },
      },
    }),
  ]);
  return { noticeId: notice.id, created };
}
