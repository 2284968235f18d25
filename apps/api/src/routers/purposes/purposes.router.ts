import { z } from 'zod';
import { ALL_ROLES, procedureFor, router } from '../../trpc/init.ts';

const ZPurposeOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  legalBasis: z.string(),
  channels: z.array(z.string()),
  isDirectMarketing: z.boolean(),
  wordings: z.array(z.object({ version: z.string(), language: z.string(), text: z.string(), textHash: z.string() })),
});

export const purposesRouter = router({
  list: procedureFor(...ALL_ROLES)
    .output(ZPurposeOut.array())
    .query(({ ctx }) =>
      ctx.db.purpose.findMany({
        select: {
          id: true,
          name: true,
          description: true,
          legalBasis: true,
          channels: true,
          isDirectMarketing: true,
          wordings: {
            select: { version: true, language: true, text: true, textHash: true },
            orderBy: [{ version: 'desc' }, { language: 'asc' }],
          },
        },
        orderBy: { name: 'asc' },
      }),
    ),
});
