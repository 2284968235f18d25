import type { Prisma } from '@zweck/db';
import { z } from 'zod';
import { verifyAuditChain } from '../../audit-chain.ts';
import { procedureFor, router } from '../../trpc/init.ts';

/** The DPO and administrators read the audit log (reading it is not a read of a contact's data, so it is not itself audited). */
const READERS = ['dpo', 'admin'] as const;

export const ZAuditListInput = z.object({
  /** Part of the actor ('user:<id>', 'system:...'). */
  actor: z.string().trim().max(200).optional(),
  /** The action or its beginning ('contact.' finds every contact action). */
  action: z.string().trim().max(200).optional(),
  entityType: z.string().trim().max(100).optional(),
  entityId: z.string().trim().max(200).optional(),
  from: z.iso.datetime({ offset: true, message: 'A date and time (ISO 8601)' }).optional(),
  to: z.iso.datetime({ offset: true, message: 'A date and time (ISO 8601)' }).optional(),
  /** The last id of the page before: pages go from the newest to the oldest. */
  cursor: z.string().regex(/^\d+$/, 'An audit entry id').optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

const ZAuditEntryOut = z.object({
  id: z.string(),
  at: z.date(),
  actor: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  details: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});

const ZVerifyOut = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), checked: z.number().int() }),
  z.object({ ok: z.literal(false), checked: z.number().int(), brokenAt: z.string(), reason: z.enum(['prev_hash', 'hash']) }),
]);

const blank = (v: string | undefined): v is undefined => v === undefined || v === '';

export const auditRouter = router({
  list: procedureFor(...READERS)
    .input(ZAuditListInput)
    .output(z.object({ items: ZAuditEntryOut.array(), nextCursor: z.string().nullable() }))
    .query(async ({ ctx, input }) => {
      const where: Prisma.AuditEventWhereInput = {
        ...(blank(input.actor) ? {} : { actor: { contains: input.actor } }),
        ...(blank(input.action) ? {} : { action: { startsWith: input.action } }),
        ...(blank(input.entityType) ? {} : { entityType: input.entityType }),
        ...(blank(input.entityId) ? {} : { entityId: input.entityId }),
        ...(input.from || input.to
          ? { at: { ...(input.from ? { gte: new Date(input.from) } : {}), ...(input.to ? { lte: new Date(input.to) } : {}) } }
          : {}),
        ...(input.cursor ? { id: { lt: BigInt(input.cursor) } } : {}),
      };
      const rows = await ctx.db.auditEvent.findMany({ where, orderBy: { id: 'desc' }, take: input.limit + 1 });
      const page = rows.slice(0, input.limit);
      return {
        items: page.map((r) => ({ ...r, id: r.id.toString() })),
        nextCursor: rows.length > input.limit ? (page.at(-1)?.id.toString() ?? null) : null,
      };
    }),

  /** Walks the whole chain and reports the first broken link. */
  verify: procedureFor(...READERS)
    .output(ZVerifyOut)
    .mutation(({ ctx }) => verifyAuditChain(ctx.db)),
});
