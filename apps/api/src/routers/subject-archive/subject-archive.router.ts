import { z } from 'zod';
import { assertContactVisible, auditContactRead } from '../../contacts/read-access.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import { produceSubjectArchive } from '../../subject-archive/subject-archive.service.ts';

const ZContactArchiveInput = z.object({
  contactId: z.uuid('Not a contact ID'),
  /** The data-subject request the archive answers, where there is one. */
  requestId: z.uuid('Not a request ID').nullish(),
});

const ZProducedArchive = z.object({
  id: z.string(),
  sha256: z.string(),
  byteSize: z.number().int(),
  requestId: z.string().nullable(),
  producedAt: z.date(),
  /** The member of staff who produced it (staff see each other's names; the archive itself never does). */
  producedBy: z.string(),
});

/**
 * The access and portability archive (Art. 15(3), 20 GDPR). The zip itself is downloaded over
 * HTTP (`GET /api/subject-archive/:contactId`, same roles, same record); these procedures record a
 * production without the download and list what was produced, for the request page.
 */
export const subjectArchiveRouter = router({
  /** Build the archive now and record that it was produced (SHA-256, size, time); the bytes are not kept. */
  produce: procedureFor('dpo', 'admin')
    .input(ZContactArchiveInput)
    .output(ZProducedArchive)
    .mutation(async ({ ctx, input }) => {
      const access = await assertContactVisible(ctx, input.contactId);
      const { record } = await produceSubjectArchive(ctx, {
        contactId: input.contactId,
        actor: `user:${ctx.user.id}`,
        requestId: input.requestId ?? null,
      });
      await auditContactRead(ctx, input.contactId, access, 'subjectArchive.produce', { archiveId: record.id });
      return { ...record, producedBy: ctx.user.displayName };
    }),

  /** The archives produced for a contact, newest first (optionally only those for one request). */
  list: procedureFor('dpo', 'admin')
    .input(ZContactArchiveInput)
    .output(z.array(ZProducedArchive))
    .query(async ({ ctx, input }) => {
      // An unknown contact is NOT_FOUND, not an empty list (the same answer as everywhere else).
      await assertContactVisible(ctx, input.contactId);
      const rows = await ctx.db.subjectArchive.findMany({
        where: { contactId: input.contactId, ...(input.requestId ? { requestId: input.requestId } : {}) },
        orderBy: [{ producedAt: 'desc' }, { id: 'desc' }],
        take: 20,
        select: { id: true, sha256: true, byteSize: true, requestId: true, producedAt: true, producedBy: true },
      });
      const userIds = [...new Set(rows.flatMap((r) => (r.producedBy.startsWith('user:') ? [r.producedBy.slice(5)] : [])))];
      const users = await ctx.db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, displayName: true } });
      const nameOf = new Map(users.map((u) => [`user:${u.id}`, u.displayName]));
      return rows.map((r) => ({ ...r, producedBy: nameOf.get(r.producedBy) ?? r.producedBy }));
    }),
});
