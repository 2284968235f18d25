import { z } from 'zod';
import { audit } from '../../audit.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import { consentReceipt } from './consent-receipt.ts';

export const consentsRouter = router({
  /** The ISO/IEC TS 27560 receipt of one ledger entry, for the DPO to hand to the person or an auditor. */
  receipt: procedureFor('dpo', 'admin')
    .input(z.object({ eventId: z.uuid('Not a consent event ID') }))
    .output(z.record(z.string(), z.unknown()))
    .query(async ({ ctx, input }) => {
      const event = await ctx.db.consentEvent.findUnique({
        where: { id: input.eventId },
        select: {
          id: true,
          contactId: true,
          purposeId: true,
          channel: true,
          kind: true,
          occurredAt: true,
          recordedAt: true,
          expiresAt: true,
          method: true,
          source: true,
          wordingVersion: true,
          wordingHash: true,
          purpose: { select: { name: true, description: true, legalBasis: true } },
        },
      });
      if (!event) throw new AppError('CONSENT_EVENT_NOT_FOUND', 'There is no such consent event.');
      const wording = event.wordingVersion
        ? await ctx.db.consentWording.findFirst({
            where: { purposeId: event.purposeId, version: event.wordingVersion, textHash: event.wordingHash ?? undefined },
            select: { language: true, text: true },
          })
        : null;
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'consent.receipt',
        entityType: 'contact',
        entityId: event.contactId,
        details: { eventId: event.id },
      });
      const { purpose, ...rest } = event;
      return consentReceipt({
        event: rest,
        purpose,
        wording,
        controller: { name: ctx.env.CONTROLLER_NAME, privacyNoticeUrl: ctx.env.PRIVACY_NOTICE_URL },
        issuedAt: new Date(),
      });
    }),
});
