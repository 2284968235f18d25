import { z } from 'zod';
import { assertContactVisible, auditContactRead } from '../../contacts/read-access.ts';
import type { Context } from '../../trpc/context.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';

/** The local mail sink's messages: what the product actually put on the wire, headers and all. */
const sink = (ctx: Context) => {
  if (!ctx.mailSink) throw new AppError('MAIL_SINK_NOT_CONFIGURED', 'No mail sink is configured on this installation (MAIL_SINK_URL).');
  return ctx.mailSink;
};

const ZSummary = z.object({
  id: z.string(),
  receivedAt: z.string(),
  subject: z.string(),
  from: z.string(),
  to: z.string(),
  messageId: z.string().nullable(),
  size: z.number(),
});

export const outboxRouter = router({
  list: procedureFor('admin', 'marketer', 'dpo')
    .output(ZSummary.array())
    .query(async ({ ctx }) => (await sink(ctx).list()).map(({ envelopeFrom: _f, envelopeTo: _t, ...m }) => m)),

  get: procedureFor('admin', 'marketer', 'dpo')
    .input(z.object({ id: z.uuid('Not a message ID') }))
    .output(
      ZSummary.extend({
        headers: z.array(z.object({ name: z.string(), value: z.string() })),
        text: z.string().nullable(),
        html: z.string().nullable(),
        /** The contact the product sent it to, where it is one of the product's logged messages. */
        contactId: z.string().nullable(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const message = await sink(ctx).get(input.id);
      if (!message) throw new AppError('MESSAGE_NOT_FOUND', 'There is no such message in the outbox.');
      // A message the product sent to a contact is that contact's personal data: need to know, and the read is audited.
      const sent = message.messageId
        ? await ctx.db.message.findUnique({ where: { messageId: message.messageId }, select: { id: true, contactId: true } })
        : null;
      if (sent) {
        const access = await assertContactVisible(ctx, sent.contactId).catch((error: unknown) => {
          // Another's message is as absent as a missing one.
          throw error instanceof AppError && error.code === 'CONTACT_NOT_FOUND'
            ? new AppError('MESSAGE_NOT_FOUND', 'There is no such message in the outbox.')
            : error;
        });
        await auditContactRead(ctx, sent.contactId, access, 'outbox.get', { messageId: sent.id });
      }
      const { envelopeFrom: _f, envelopeTo: _t, ...rest } = message;
      return { ...rest, contactId: sent?.contactId ?? null };
    }),
});
