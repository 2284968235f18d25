import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '@zweck/db';
import {
  exampleSystemValues,
  messageIdFor,
  renderTemplate,
  samplePersonalValues,
  SmtpRejectedError,
  TemplateRenderError,
  type Mailer,
  type TemplateSource,
} from '@zweck/mail';
import type { ActivitiesConfig } from './activities.ts';
import { decideStaffNotice } from './staff-notice.ts';

/** Marks a test send in every inbox, so that nobody mistakes it for the real message. */
export const TEST_SUBJECT_PREFIX = '[Test] ';

export interface TemplateTestDeps {
  db: Db;
  mailer: Mailer;
  config: ActivitiesConfig;
  now: () => Date;
  sha256Hex: (text: string) => string;
}

export type TemplateTestSendOutcome =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'invalid'; problems: { field: 'subject' | 'html' | 'text'; code: string }[] }
  | { outcome: 'skipped'; reasonCodes: string[] }
  | { outcome: 'failed'; smtpResponse: string }
  | { outcome: 'user_gone' | 'template_gone' };

const SENT_ACTION = 'template.test.sent';

export function createTemplateTestActivities({ db, mailer, config, now, sha256Hex }: TemplateTestDeps) {
  return {
    /**
     * Render a template with the staff member's own name as sample data and mail it to their own
     * address, subject prefixed "[Test]". No contact is involved: the links are marked examples and
     * the message is not tracked. One mail per idempotency key: a retry after the send finds the
     * audit entry; a crash in between resends with the same Message-ID.
     */
    async sendTemplateTest(input: {
      userId: string;
      templateId: string | null;
      draft: TemplateSource | null;
      idempotencyKey: string;
    }): Promise<TemplateTestSendOutcome> {
      const messageId = messageIdFor(input.idempotencyKey, config.mailDomain);
      const already = await db.auditEvent.findFirst({
        where: {
          action: SENT_ACTION,
          entityType: 'user',
          entityId: input.userId,
          details: { path: ['idempotencyKey'], equals: input.idempotencyKey },
        },
        select: { id: true },
      });
      if (already) return { outcome: 'sent', messageId };

      const user = await db.user.findUnique({ where: { id: input.userId }, select: { email: true, displayName: true, isActive: true } });
      if (!user?.isActive) return { outcome: 'user_gone' };
      const template =
        input.draft ??
        (input.templateId === null
          ? null
          : await db.template.findUnique({
              where: { id: input.templateId },
              select: { kind: true, subject: true, html: true, text: true },
            }));
      if (template === null) return { outcome: 'template_gone' };

      const decision = await decideStaffNotice(db, now(), sha256Hex);
      if (!decision.allowed) return { outcome: 'skipped', reasonCodes: decision.reasons.map((r) => r.code) };

      const fields = await db.fieldDefinition.findMany({ where: { type: { not: 'free_text' } }, select: { key: true, label: true } });
      let rendered;
      try {
        rendered = renderTemplate(template, {
          personal: samplePersonalValues(fields, user.displayName),
          system: exampleSystemValues(config.sender),
        });
      } catch (error) {
        if (error instanceof TemplateRenderError) {
          return { outcome: 'invalid', problems: error.problems.map((p) => ({ field: p.field, code: p.code })) };
        }
        throw error;
      }

      try {
        await mailer.send(decision, {
          to: user.email,
          subject: `${TEST_SUBJECT_PREFIX}${rendered.subject}`,
          html: rendered.html,
          text: rendered.text,
          messageId,
          unsubscribe: null,
        });
      } catch (error) {
        if (error instanceof SmtpRejectedError && error.isPermanent) return { outcome: 'failed', smtpResponse: error.response };
        // The message names the SMTP answer, never the address.
        throw ApplicationFailure.retryable(
          error instanceof SmtpRejectedError ? error.response : 'SMTP transport error',
          'SmtpTransientFailure',
        );
      }
      await db.auditEvent.create({
        data: {
          actor: 'system:worker',
          action: SENT_ACTION,
          entityType: 'user',
          entityId: input.userId,
          details: {
            idempotencyKey: input.idempotencyKey,
            templateId: input.templateId,
            purposeId: decision.purposeId,
            legalBasis: decision.grounds.legalBasis,
            policyVersion: decision.policyVersion,
            inputDigest: decision.inputDigest,
          },
        },
      });
      return { outcome: 'sent', messageId };
    },
  };
}
