import { RECEIPT_EVENT_SELECT, receiptFromRow, receiptWordingWhere } from '@zweck/consent-receipt';
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { startConsentReceipt } from '../../automation.ts';
import { assertContactVisible, auditContactRead } from '../../contacts/read-access.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';

export const consentsRouter = router({
  /** The ISO/IEC TS 27560 receipt of one ledger entry, for the DPO to hand to the person or an auditor. */
  receipt: procedureFor('dpo', 'admin')
    .input(z.object({ eventId: z.uuid('Not a consent event ID') }))
    .output(z.record(z.string(), z.unknown()))
    .query(async ({ ctx, input }) => {
      const event = await ctx.db.consentEvent.findUnique({ where: { id: input.eventId }, select: RECEIPT_EVENT_SELECT });
      if (!event) throw new AppError('CONSENT_EVENT_NOT_FOUND', 'There is no such consent event.');
      const access = await assertContactVisible(ctx, event.contactId);
      const where = receiptWordingWhere(event);
      const wording = where ? await ctx.db.consentWording.findFirst({ where, select: { language: true, text: true } }) : null;
      await auditContactRead(ctx, event.contactId, access, 'consents.receipt', { eventId: event.id });
      return receiptFromRow(event, wording, { name: ctx.env.CONTROLLER_NAME, privacyNoticeUrl: ctx.env.PRIVACY_NOTICE_URL }, new Date());
    }),

  /**
   * Mail the receipt of one ledger entry to the person (Art. 7(1), 15(3) GDPR). The worker sends
   * it, after asking the policy under the purpose `data_subject_rights`; a second request for the
   * same entry sends no second mail.
   */
  sendReceipt: procedureFor('dpo', 'admin')
    .input(z.object({ consentEventId: z.uuid('Not a consent event ID') }))
    .output(z.object({ status: z.enum(['requested', 'already_running']) }))
    .mutation(async ({ ctx, input }) => {
      const event = await ctx.db.consentEvent.findUnique({ where: { id: input.consentEventId }, select: { id: true, contactId: true } });
      if (!event) throw new AppError('CONSENT_EVENT_NOT_FOUND', 'There is no such consent event.');
      const status = await startConsentReceipt(
        ctx.temporal,
        { contactId: event.contactId, consentEventIds: [event.id], requestedBy: `user:${ctx.user.id}` },
        ctx.env.TEMPORAL_TASK_QUEUE,
      );
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'consent.receipt.request',
        entityType: 'contact',
        entityId: event.contactId,
        details: { eventIds: [event.id], status },
      });
      return { status };
    }),
});
