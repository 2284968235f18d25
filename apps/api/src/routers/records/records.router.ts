import { z } from 'zod';
import { audit } from '../../audit.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import type { Context } from '../../trpc/context.ts';
import { buildRecords, recordsCsv, type ControllerInfo } from '../../records/records.ts';
import { ZRecordsOfProcessing } from './records.schema.ts';

const READERS = ['dpo', 'admin'] as const;
const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

const controllerOf = (env: Context['env']): ControllerInfo => ({
  name: env.CONTROLLER_NAME,
  address: env.CONTROLLER_ADDRESS,
  email: env.CONTROLLER_EMAIL,
  dpoName: env.DPO_NAME,
  dpoEmail: env.DPO_EMAIL,
});

export const recordsRouter = router({
  /** The records as data: the admin renders the readable document (and its HTML download) from it. */
  get: procedureFor(...READERS)
    .output(ZRecordsOfProcessing)
    .query(({ ctx }) => buildRecords(ctx.db, controllerOf(ctx.env), new Date())),

  /** The same records as CSV, one row per processing activity; the export is audited. */
  exportCsv: procedureFor(...READERS)
    .output(z.object({ filename: z.string(), content: z.string() }))
    .mutation(async ({ ctx }) => {
      const now = new Date();
      const records = await buildRecords(ctx.db, controllerOf(ctx.env), now);
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'records.export',
        entityType: 'records_of_processing',
        details: { format: 'csv', activities: records.activities.length },
      });
      return { filename: `records-of-processing-${isoDay(now)}.csv`, content: recordsCsv(records) };
    }),

  /** The admin builds the HTML document from `get`; its download is audited like the CSV's. */
  noteHtmlExport: procedureFor(...READERS)
    .input(z.object({ activities: z.number().int().min(0).max(10_000) }))
    .output(z.object({ filename: z.string() }))
    .mutation(async ({ ctx, input }) => {
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'records.export',
        entityType: 'records_of_processing',
        details: { format: 'html', activities: input.activities },
      });
      return { filename: `records-of-processing-${isoDay(new Date())}.html` };
    }),
});
