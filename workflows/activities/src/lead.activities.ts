import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '@zweck/db';
import {
  applyScoreChange as applyScoreChangeInDb,
  assignLead as assignLeadInDb,
  escalateLead as escalateLeadInDb,
  settleLead as settleLeadInDb,
  type AssignLeadResult,
  type RecycleReason,
  type ScoreChangeInput,
  type ScoreChangeOutcome,
} from '@zweck/leads';
import { escapeHtml, messageIdFor, SmtpRejectedError, type Mailer } from '@zweck/mail';
import type { Channel } from '@zweck/policy';
import type { ActivitiesConfig } from './activities.ts';
import { decideStaffNotice } from './staff-notice.ts';

export interface LeadActivityDeps {
  db: Db;
  mailer: Mailer;
  config: ActivitiesConfig;
  now: () => Date;
  sha256Hex: (text: string) => string;
}

/** Who a staff notification about a lead goes to, and why. */
export type LeadNotice = 'assigned' | 'escalated' | 'no_owner';

export type NoticeOutcome = { outcome: 'sent'; recipients: number } | { outcome: 'skipped'; reasonCodes: string[] };

const NOTICE_SENT_ACTION = 'lead.notice.sent';

export function createLeadActivities({ db, mailer, config, now, sha256Hex }: LeadActivityDeps) {
  const baseUrl = config.publicUrl.replace(/\/$/, '');

  /**
   * Mail staff about a lead, under `staff_notifications` (contract, Art. 6(1)(b) GDPR), like the
   * template test send: the policy is asked right before the send and the transport takes that
   * "yes". The mail names no contact data, only a link to the lead page behind the sign-in (data
   * minimisation, Art. 5(1)(c)). One mail per recipient and notice: an audit entry marks it sent,
   * and a resend after a crash carries the same Message-ID.
   */
  async function notifyStaff(
    userIds: readonly string[],
    notice: { key: string; subject: string; lines: string[]; link: string; entityId: string },
  ): Promise<NoticeOutcome> {
    const decision = await decideStaffNotice(db, now(), sha256Hex);
    if (!decision.allowed) return { outcome: 'skipped', reasonCodes: decision.reasons.map((r) => r.code) };

    const users = await db.user.findMany({ where: { id: { in: [...userIds] }, isActive: true }, select: { id: true, email: true } });
    let sent = 0;
    for (const user of users) {
      const idempotencyKey = `${notice.key}:${user.id}`;
      const already = await db.auditEvent.findFirst({
        where: {
          action: NOTICE_SENT_ACTION,
          entityType: 'user',
          entityId: user.id,
          details: { path: ['idempotencyKey'], equals: idempotencyKey },
        },
        select: { id: true },
      });
      if (already) {
        sent++;
        continue;
      }
      const text = [...notice.lines, '', notice.link, '', config.sender.imprint].join('\n');
      const html =
        notice.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('') +
        `<p><a href="${escapeHtml(notice.link)}">${escapeHtml(notice.link)}</a></p><p style="color:#666">${escapeHtml(config.sender.imprint)}</p>`;
      try {
        await mailer.send(decision, {
          to: user.email,
          subject: notice.subject,
          text,
          html,
          messageId: messageIdFor(idempotencyKey, config.mailDomain),
          unsubscribe: null,
        });
      } catch (error) {
        // The message names the SMTP answer, never the address.
        throw ApplicationFailure.retryable(
          error instanceof SmtpRejectedError ? error.response : 'SMTP transport error',
          'SmtpTransientFailure',
        );
      }
      await db.auditEvent.create({
        data: {
          actor: 'system:worker',
          action: NOTICE_SENT_ACTION,
          entityType: 'user',
          entityId: user.id,
          details: {
            idempotencyKey,
            about: notice.entityId,
            purposeId: decision.purposeId,
            legalBasis: decision.grounds.legalBasis,
            policyVersion: decision.policyVersion,
            inputDigest: decision.inputDigest,
          },
        },
      });
      sent++;
    }
    return { outcome: 'sent', recipients: sent };
  }

  const admins = async (): Promise<string[]> =>
    (await db.user.findMany({ where: { role: 'admin', isActive: true }, select: { id: true } })).map((u) => u.id);

  return {
    /**
     * A score change from a journey step or a scoring rule: the policy decides (action `profile`)
     * against a fresh read, the decision is recorded, and the change is written only if allowed.
     */
    async applyScoreChange(req: ScoreChangeInput): Promise<ScoreChangeOutcome> {
      return applyScoreChangeInDb({ db, suppressionKey: config.suppressionKey }, req, {
        now: now(),
        decidedBy: 'activity:applyScoreChange',
      });
    },

    /** Ask the policy again (action `hand_off`), pick the owner and write the lead with its due time. */
    async assignLead(input: {
      contactId: string;
      purposeId: string;
      channel: Channel;
      trigger: { kind: string } & Record<string, string>;
      workflowId: string;
      runId: string;
    }): Promise<
      { outcome: 'assigned'; leadId: string; ownerId: string; dueHours: number } | Exclude<AssignLeadResult, { outcome: 'assigned' }>
    > {
      const result = await assignLeadInDb(
        { db, suppressionKey: config.suppressionKey },
        {
          contactId: input.contactId,
          purposeId: input.purposeId,
          channel: input.channel,
          trigger: input.trigger,
          workflowId: input.workflowId,
          handoffKey: `${input.workflowId}:${input.runId}`,
        },
        { now: now(), decidedBy: 'activity:assignLead' },
      );
      if (result.outcome !== 'assigned') return result;
      return { outcome: 'assigned', leadId: result.leadId, ownerId: result.ownerId, dueHours: result.dueHours };
    },

    /** Tell the rep a lead is theirs: a link to the lead page and the due time, nothing about the person. */
    async notifyLeadAssigned(input: { leadId: string }): Promise<NoticeOutcome> {
      const lead = await db.lead.findUnique({ where: { id: input.leadId }, select: { ownerId: true, dueAt: true } });
      if (!lead) return { outcome: 'skipped', reasonCodes: ['LEAD_GONE'] };
      return notifyStaff([lead.ownerId], {
        key: `lead-assigned:${input.leadId}`,
        subject: 'A new lead is waiting for you',
        lines: ['A lead was handed to you.', `Please accept it or send it back to nurturing by ${lead.dueAt.toUTCString()}.`],
        link: `${baseUrl}/leads/${input.leadId}`,
        entityId: input.leadId,
      });
    },

    /**
     * The due time passed: mark the lead escalated and tell the owner's manager (the admins when
     * the rep has none). Skipped when the rep answered in the meantime.
     */
    async escalateLead(input: { leadId: string }): Promise<NoticeOutcome> {
      const escalated = await escalateLeadInDb(db, input.leadId, now());
      if (escalated === null) return { outcome: 'skipped', reasonCodes: ['LEAD_SETTLED'] };
      const recipients = escalated.managerId !== null ? [escalated.managerId] : await admins();
      return notifyStaff(recipients, {
        key: `lead-escalated:${input.leadId}`,
        subject: 'A lead of your team is overdue',
        lines: ['A lead assigned to your team was not accepted or recycled by its due time.'],
        link: `${baseUrl}/leads/${input.leadId}`,
        entityId: input.leadId,
      });
    },

    /** No active rep can take the lead (none at all, or none in the contact's territory): the admins hear of it. */
    async notifyNoOwner(input: { contactId: string; workflowId: string; runId: string }): Promise<NoticeOutcome> {
      return notifyStaff(await admins(), {
        key: `lead-no-owner:${input.workflowId}:${input.runId}`,
        subject: 'A lead found no sales rep',
        lines: [
          'A contact reached the handoff to sales, but no active sales rep could be assigned.',
          'Check the reps and territories on the scoring page.',
        ],
        link: `${baseUrl}/contacts/${input.contactId}`,
        entityId: input.contactId,
      });
    },

    /** The rep's answer: accept, or recycle with a reason (back to nurturing). */
    async settleLead(
      input: { leadId: string; userId: string } & ({ action: 'accept' } | { action: 'recycle'; reason: RecycleReason }),
    ): Promise<{ status: 'open' | 'accepted' | 'recycled' }> {
      return settleLeadInDb(db, input, now());
    },
  };
}
