import { commitImport, dryRunImport, importGuide } from '../../import/import.service.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import { ZCommitOutput, ZDryRunOutput, ZImportCommitInput, ZImportGuide, ZImportInput } from './import.schema.ts';

/**
 * Contacts from a file (issue 3). The dry run writes nothing but the audit entry; it is a
 * mutation because the file travels in the request body, which a query (GET) cannot carry.
 */
export const importRouter = router({
  /** The columns, fields, purposes and bases an import may use: the wizard's help and its CSV template. */
  guide: procedureFor('admin', 'marketer', 'dpo')
    .output(ZImportGuide)
    .query(({ ctx }) => importGuide(ctx.db)),

  /** What the import would do, row by row, and why. */
  dryRun: procedureFor('admin', 'marketer', 'dpo')
    .input(ZImportInput)
    .output(ZDryRunOutput)
    .mutation(({ ctx, input }) => dryRunImport(ctx, `user:${ctx.user.id}`, input)),

  /** Checks the same file again in one transaction and writes what the dry run showed, or nothing. */
  commit: procedureFor('admin', 'marketer')
    .input(ZImportCommitInput)
    .output(ZCommitOutput)
    .mutation(({ ctx, input }) => commitImport(ctx, `user:${ctx.user.id}`, input)),
});
