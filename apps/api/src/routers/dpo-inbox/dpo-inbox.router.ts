import { z } from 'zod';
import { audit } from '../../audit.ts';
import { subjectLabelKey, subjectLabels } from '../../dpo-inbox/subject-labels.ts';
import { subjectPathOf } from '../../reviews/subject-paths.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';

export const ZInboxListInput = z.object({
  filter: z.enum(['unread', 'all']).default('unread'),
  limit: z.number().int().min(1).max(200).default(100),
});

export const ZDpoNoticeOut = z.object({
  id: z.uuid(),
  kind: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  /** The subject's page in the admin UI (null when it has none). */
  subjectPath: z.string().nullable(),
  /** What the notice is about, by name (a review's title, a request's reference); null when the subject is gone. */
  subjectLabel: z.string().nullable(),
  dueAt: z.date().nullable(),
  escalated: z.boolean(),
  createdAt: z.date(),
  readAt: z.date().nullable(),
  readByName: z.string().nullable(),
});

export const ZInboxOut = z.object({ items: z.array(ZDpoNoticeOut), unreadCount: z.number().int() });

/**
 * The DPO's inbox: what the reviews, the retention runs and the data-subject requests asked them
 * to look at (written by the activity notifyDpo). Kinds, IDs and dates only; the page links to the
 * subject. The DPO works it; administrators read it.
 */
export const dpoInboxRouter = router({
  list: procedureFor('dpo', 'admin')
    .input(ZInboxListInput)
    .output(ZInboxOut)
    .query(async ({ ctx, input }) => {
      const [rows, unreadCount] = await Promise.all([
        ctx.db.dpoNotice.findMany({
          where: input.filter === 'unread' ? { readAt: null } : {},
          orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
          take: input.limit,
          select: {
            id: true,
            kind: true,
            subjectType: true,
            subjectId: true,
            dueAt: true,
            escalated: true,
            createdAt: true,
            readAt: true,
            readBy: true,
          },
        }),
        ctx.db.dpoNotice.count({ where: { readAt: null } }),
      ]);
      const readers = [...new Set(rows.map((r) => r.readBy).filter((id): id is string => id !== null))];
      const names = new Map(
        (await ctx.db.user.findMany({ where: { id: { in: readers } }, select: { id: true, displayName: true } })).map((u) => [
          u.id,
          u.displayName,
        ]),
      );
      const labels = await subjectLabels(ctx.db, rows);
      return {
        unreadCount,
        items: rows.map(({ readBy, ...row }) => ({
          ...row,
          subjectPath: subjectPathOf(row.subjectType, row.subjectId),
          subjectLabel: labels.get(subjectLabelKey(row.subjectType, row.subjectId)) ?? null,
          readByName: readBy ? (names.get(readBy) ?? null) : null,
        })),
      };
    }),

  markRead: procedureFor('dpo')
    .input(z.object({ ids: z.array(z.uuid()).min(1).max(200) }))
    .output(z.object({ marked: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      const ids = [...new Set(input.ids)];
      const found = await ctx.db.dpoNotice.count({ where: { id: { in: ids } } });
      if (found !== ids.length) throw new AppError('DPO_NOTICE_NOT_FOUND', 'There is no such notice in the inbox.', 'ids');
      const actor = `user:${ctx.user.id}`;
      const marked = await ctx.db.$transaction(async (tx) => {
        const result = await tx.dpoNotice.updateMany({
          where: { id: { in: ids }, readAt: null },
          data: { readAt: new Date(), readBy: ctx.user.id },
        });
        if (result.count > 0) await audit(tx, { actor, action: 'dpo_notice.read', entityType: 'dpo_notice', details: { ids } });
        return result.count;
      });
      return { marked };
    }),
});
