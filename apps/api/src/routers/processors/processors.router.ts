import { randomUUID } from 'node:crypto';
import type { Db, Prisma } from '@zweck/db';
import { countryName, EEA_COUNTRIES, transferMechanismProblem } from '@zweck/policy';
import { audit } from '../../audit.ts';
import { auditDiff } from '../../audit-diff.ts';
import { createReview } from '../../reviews/create-review.ts';
import type { Context } from '../../trpc/context.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import {
  ZCreateProcessorInput,
  ZProcessorIdInput,
  ZProcessorOut,
  ZUpdateProcessorInput,
  type ProcessorOut,
  type ProcessorValues,
} from './processors.schema.ts';

/** The DPO keeps the register; administrators read it. */
const READERS = ['dpo', 'admin'] as const;
const EDITORS = ['dpo'] as const;

type Tx = Prisma.TransactionClient;

const processorSelect = {
  id: true,
  name: true,
  service: true,
  noticeEmail: true,
  contractSignedOn: true,
  country: true,
  transferMechanism: true,
  dataCategories: true,
  reviewOn: true,
  updatedAt: true,
  purposes: { select: { purposeId: true }, orderBy: { purposeId: 'asc' } },
} satisfies Prisma.ProcessorSelect;

type ProcessorRow = Prisma.ProcessorGetPayload<{ select: typeof processorSelect }>;

/** A `date` column as the calendar date it holds (Prisma reads it as UTC midnight). */
export const isoDate = (date: Date): string => date.toISOString().slice(0, 10);
const toDate = (isoDay: string): Date => new Date(`${isoDay}T00:00:00.000Z`);

export function toProcessorOut(row: ProcessorRow): ProcessorOut {
  const { purposes, contractSignedOn, reviewOn, ...rest } = row;
  return {
    ...rest,
    countryName: countryName(row.country) ?? row.country,
    isThirdCountryTransfer: !EEA_COUNTRIES.has(row.country),
    contractSignedOn: isoDate(contractSignedOn),
    reviewOn: reviewOn === null ? null : isoDate(reviewOn),
    purposeIds: purposes.map((p) => p.purposeId),
  };
}

export async function readProcessors(db: Db | Tx, where: Prisma.ProcessorWhereInput = {}): Promise<ProcessorOut[]> {
  const rows = await db.processor.findMany({ where, select: processorSelect, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
  return rows.map(toProcessorOut);
}

async function readProcessor(db: Db | Tx, id: string): Promise<ProcessorOut> {
  const [processor] = await readProcessors(db, { id });
  if (!processor) throw new AppError('PROCESSOR_NOT_FOUND', 'There is no such processor.', 'id');
  return processor;
}

/** The rules between values and against the catalogue, each refusal naming its field. */
async function checkProcessor(db: Db | Tx, values: ProcessorValues): Promise<void> {
  const problem = transferMechanismProblem(values.country, values.transferMechanism);
  if (problem) throw new AppError('TRANSFER_MECHANISM_MISMATCH', problem, 'transferMechanism');
  const found = await db.purpose.findMany({ where: { id: { in: values.purposeIds } }, select: { id: true } });
  const missing = values.purposeIds.filter((id) => !found.some((p) => p.id === id));
  if (missing.length > 0) throw new AppError('PURPOSE_NOT_FOUND', `Not in the purpose catalogue: ${missing.join(', ')}.`, 'purposeIds');
}

const columns = (values: ProcessorValues) => ({
  name: values.name,
  service: values.service,
  noticeEmail: values.noticeEmail,
  contractSignedOn: toDate(values.contractSignedOn),
  country: values.country,
  transferMechanism: values.transferMechanism,
  dataCategories: values.dataCategories,
  reviewOn: values.reviewOn === null ? null : toDate(values.reviewOn),
});

/**
 * What the audit log keeps of a processor: the register's values (a company's, not a data
 * subject's). The notice address is left out, in case it names a person: only that it changed.
 */
const auditable = (p: Omit<ProcessorValues, 'noticeEmail'>) => ({
  name: p.name,
  service: p.service,
  contractSignedOn: p.contractSignedOn,
  country: p.country,
  transferMechanism: p.transferMechanism,
  dataCategories: [...p.dataCategories].sort(),
  purposeIds: [...p.purposeIds].sort(),
  reviewOn: p.reviewOn,
});

async function setPurposes(tx: Tx, processorId: string, purposeIds: readonly string[]): Promise<void> {
  await tx.processorPurpose.deleteMany({ where: { processorId, purposeId: { notIn: [...purposeIds] } } });
  await tx.processorPurpose.createMany({ data: purposeIds.map((purposeId) => ({ processorId, purposeId })), skipDuplicates: true });
}

/**
 * The processor's review date as a dated review (Wiedervorlage) of the reviews slice, which
 * reminds the DPO before it and escalates when it is overdue; yearly, as contracts under Art. 28
 * are checked. An open review of this processor on another date is left to the DPO's review list
 * (moving it is the reviews page's job); the same date is not planned twice.
 */
async function scheduleReview(ctx: Pick<Context, 'db' | 'temporal' | 'env'>, actor: string, processor: ProcessorOut): Promise<void> {
  if (processor.reviewOn === null) return;
  const planned = await ctx.db.review.findFirst({
    where: { subjectType: 'processor', subjectId: processor.id, status: { not: 'done' }, dueOn: toDate(processor.reviewOn) },
    select: { id: true },
  });
  if (planned) return;
  await createReview(
    { db: ctx.db, temporal: ctx.temporal, taskQueue: ctx.env.TEMPORAL_TASK_QUEUE },
    {
      subjectType: 'processor',
      subjectId: processor.id,
      title: `Review the processor ${processor.name}: contract (Art. 28) and transfer safeguards`,
      dueOn: processor.reviewOn,
      recurrenceMonths: 12,
      actor,
    },
  );
}

export const processorsRouter = router({
  list: procedureFor(...READERS)
    .output(ZProcessorOut.array())
    .query(({ ctx }) => readProcessors(ctx.db)),

  get: procedureFor(...READERS)
    .input(ZProcessorIdInput)
    .output(ZProcessorOut)
    .query(({ ctx, input }) => readProcessor(ctx.db, input.id)),

  create: procedureFor(...EDITORS)
    .input(ZCreateProcessorInput)
    .output(ZProcessorOut)
    .mutation(async ({ ctx, input }) => {
      await checkProcessor(ctx.db, input);
      const id = randomUUID();
      const created = await ctx.db.$transaction(async (tx) => {
        await tx.processor.create({ data: { id, ...columns(input) } });
        await setPurposes(tx, id, input.purposeIds);
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'processor.create',
          entityType: 'processor',
          entityId: id,
          details: auditable(input),
        });
        return readProcessor(tx, id);
      });
      if (created.reviewOn !== null) await scheduleReview(ctx, `user:${ctx.user.id}`, created);
      return created;
    }),

  update: procedureFor(...EDITORS)
    .input(ZUpdateProcessorInput)
    .output(ZProcessorOut)
    .mutation(async ({ ctx, input }) => {
      const { id, ...values } = input;
      await checkProcessor(ctx.db, values);
      const { processor, reviewMoved } = await ctx.db.$transaction(async (tx) => {
        const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM processor WHERE id = ${id}::uuid FOR UPDATE`;
        if (locked.length === 0) throw new AppError('PROCESSOR_NOT_FOUND', 'There is no such processor.', 'id');
        const current = await readProcessor(tx, id);
        const { changed, details } = auditDiff(auditable(current), auditable(values));
        const emailChanged = current.noticeEmail !== values.noticeEmail;
        if (changed.length === 0 && !emailChanged) return { processor: current, reviewMoved: false };
        await tx.processor.update({ where: { id }, data: columns(values) });
        if (changed.includes('purposeIds')) await setPurposes(tx, id, values.purposeIds);
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'processor.update',
          entityType: 'processor',
          entityId: id,
          details: { ...details, noticeEmailChanged: emailChanged },
        });
        return { processor: await readProcessor(tx, id), reviewMoved: changed.includes('reviewOn') };
      });
      if (reviewMoved && processor.reviewOn !== null) await scheduleReview(ctx, `user:${ctx.user.id}`, processor);
      return processor;
    }),
});
