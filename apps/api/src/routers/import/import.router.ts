import { visibleFieldKeys } from '../../contacts/field-visibility.ts';
import { commitImport, dryRunImport, importGuide, type Importer } from '../../import/import.service.ts';
import type { Context, SessionUser } from '../../trpc/context.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import { ZCommitOutput, ZDryRunOutput, ZImportCommitInput, ZImportGuide, ZImportInput } from './import.schema.ts';

/** The signed-in user as importer: a file may carry only the fields their role sees. */
const importerOf = async (ctx: Context & { user: SessionUser }): Promise<Importer> => ({
  actor: `user:${ctx.user.id}`,
  visible: await visibleFieldKeys(ctx.db, ctx.user.role),
});

/**
 * Contacts from a file (issue 3). The dry run writes nothing but the audit entry; it is a
 * mutation because the file travels in the request body, which a query (GET) cannot carry.
 */
export const importRouter = router({
  /** The columns, fields, purposes and bases an import may use: the wizard's help and its CSV template. */
  guide: procedureFor('admin', 'marketer', 'dpo')
    .output(ZImportGuide)
    .query(async ({ ctx }) => importGuide(ctx.db, await visibleFieldKeys(ctx.db, ctx.user.role))),

  /** What the import would do, row by row, and why. */
  dryRun: procedureFor('admin', 'marketer', 'dpo')
    .input(ZImportInput)
    .output(ZDryRunOutput)
    .mutation(async ({ ctx, input }) => dryRunImport(ctx, await importerOf(ctx), input)),

  /** Checks the same file again in one transaction and writes what the dry run showed, or nothing. */
  commit: procedureFor('admin', 'marketer')
    .input(ZImportCommitInput)
    .output(ZCommitOutput)
    .mutation(async ({ ctx, input }) => commitImport(ctx, await importerOf(ctx), input)),
});
