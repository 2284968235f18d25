import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { isUniqueViolation, type Db, type Prisma } from '@zweck/db';
import { retentionStatesPage, type RetentionPolicyRow } from '@zweck/decision-facts';
import type { retentionWorkflow } from '@zweck/workflows';
import { retentionCheckWorkflowId, retentionRunDecisionSignal, retentionRunWorkflowId, TASK_QUEUE } from '@zweck/workflows/contracts';
import { addDays } from 'date-fns';
import { audit } from '../../audit.ts';
import type { Context } from '../../trpc/context.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import {
  ZApproveInput,
  ZCheckNowOut,
  ZDeletedOut,
  ZHoldOut,
  ZHoldValues,
  ZIdInput,
  ZPolicyOut,
  ZPreviewInput,
  ZPreviewOut,
  ZRejectInput,
  ZRetentionPolicyValues,
  ZRunDetailOut,
  ZRunGetInput,
  ZRunListInput,
  ZRunOut,
  ZUpdateHoldInput,
  ZUpdatePolicyInput,
  type HoldOut,
  type HoldValues,
  type PolicyOut,
  type RetentionPolicyValues,
  type RunOut,
} from './retention.schema.ts';

/** The DPO keeps the deletion concept; administrators read it. */
const READ_ROLES = ['dpo', 'admin'] as const;
const WRITE_ROLES = ['dpo'] as const;

/** The preview counts at most this many contacts per policy (pages of 1,000). */
const PREVIEW_PAGE = 1_000;
const PREVIEW_MAX_PAGES = 50;

const POLICY_SELECT = {
  id: true,
  name: true,
  scopeKind: true,
  purposeId: true,
  purpose: { select: { name: true } },
  dataCategory: true,
  period: true,
  anchor: true,
  action: true,
  reminderLeadDays: true,
  requiresApproval: true,
  active: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { runs: true } },
} as const satisfies Prisma.RetentionPolicySelect;

async function readPolicies(db: Db, where: Prisma.RetentionPolicyWhereInput = {}): Promise<PolicyOut[]> {
  const rows = await db.retentionPolicy.findMany({ where, select: POLICY_SELECT, orderBy: [{ name: 'asc' }] });
  const pending = await db.retentionRun.groupBy({
    by: ['policyId'],
    where: { status: 'pending_approval', policyId: { in: rows.map((r) => r.id) } },
    _count: { _all: true },
  });
  return rows.map(({ purpose, _count, createdAt, updatedAt, ...row }) => ({
    ...row,
    purposeName: purpose?.name ?? null,
    createdAt: createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
    runCount: _count.runs,
    pendingRuns: pending.find((p) => p.policyId === row.id)?._count._all ?? 0,
  }));
}

async function readPolicy(db: Db, id: string): Promise<PolicyOut> {
  const [policy] = await readPolicies(db, { id });
  if (!policy) throw new AppError('RETENTION_POLICY_NOT_FOUND', 'There is no such retention policy.', 'id');
  return policy;
}

/** The scope's own column, checked against the catalogue; the other column is cleared. */
async function scopeColumns(
  db: Db,
  v: { scopeKind: string; purposeId: string | null; dataCategory: RetentionPolicyValues['dataCategory'] },
) {
  if (v.scopeKind === 'purpose') {
    const purpose = v.purposeId === null ? null : await db.purpose.findUnique({ where: { id: v.purposeId }, select: { id: true } });
    if (!purpose) throw new AppError('RETENTION_SCOPE_INVALID', 'Choose a purpose from the catalogue.', 'purposeId');
    return { purposeId: purpose.id, dataCategory: null };
  }
  return { purposeId: null, dataCategory: v.dataCategory };
}

const policyColumns = async (db: Db, v: RetentionPolicyValues) => ({
  name: v.name,
  scopeKind: v.scopeKind,
  ...(await scopeColumns(db, v)),
  period: v.period,
  anchor: v.anchor,
  action: v.action,
  reminderLeadDays: v.reminderLeadDays,
  requiresApproval: v.requiresApproval,
  active: v.active,
});

const nameTaken = () => new AppError('RETENTION_POLICY_NAME_TAKEN', 'There is already a retention policy with this name.', 'name');

const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
const dayDate = (day: string): Date => new Date(`${day}T00:00:00.000Z`);

const HOLD_SELECT = {
  id: true,
  kind: true,
  scopeKind: true,
  purposeId: true,
  dataCategory: true,
  contactId: true,
  reason: true,
  startsOn: true,
  endsOn: true,
} as const satisfies Prisma.LegalHoldSelect;

function toHold(row: Prisma.LegalHoldGetPayload<{ select: typeof HOLD_SELECT }>, today: string): HoldOut {
  const startsOn = isoDay(row.startsOn);
  const endsOn = row.endsOn === null ? null : isoDay(row.endsOn);
  return { ...row, startsOn, endsOn, inForce: startsOn <= today && (endsOn === null || endsOn >= today) };
}

async function holdColumns(db: Db, v: HoldValues) {
  const base = {
    kind: v.kind,
    scopeKind: v.scopeKind,
    reason: v.reason,
    startsOn: dayDate(v.startsOn),
    endsOn: v.endsOn === null ? null : dayDate(v.endsOn),
  };
  if (v.scopeKind === 'contact') {
    const contact = v.contactId === null ? null : await db.contact.findUnique({ where: { id: v.contactId }, select: { id: true } });
    if (!contact) throw new AppError('CONTACT_NOT_FOUND', 'There is no such contact.', 'contactId');
    return { ...base, contactId: contact.id, purposeId: null, dataCategory: null };
  }
  return { ...base, contactId: null, ...(await scopeColumns(db, v)) };
}

const RUN_SELECT = {
  id: true,
  policyId: true,
  policy: { select: { name: true } },
  status: true,
  action: true,
  dueAt: true,
  contactsTotal: true,
  deletedCount: true,
  anonymizedCount: true,
  restrictedCount: true,
  skippedCount: true,
  approvedBy: true,
  approvedAt: true,
  decisionNote: true,
  finishedAt: true,
  createdAt: true,
} as const satisfies Prisma.RetentionRunSelect;

function toRun({
  policy,
  dueAt,
  approvedAt,
  finishedAt,
  createdAt,
  ...row
}: Prisma.RetentionRunGetPayload<{ select: typeof RUN_SELECT }>): RunOut {
  return {
    ...row,
    policyName: policy.name,
    dueAt: dueAt.toISOString(),
    approvedAt: approvedAt?.toISOString() ?? null,
    finishedAt: finishedAt?.toISOString() ?? null,
    createdAt: createdAt.toISOString(),
  };
}

/**
 * The DPO decided a run: the decision is written first (once: only a pending run can be decided),
 * then the run's workflow hears of it and reads it. A workflow not started yet reads it when it
 * starts; one that closed has nothing left to do.
 */
async function decideRun(
  ctx: Context & { user: { id: string } },
  id: string,
  decision: { status: 'approved' | 'rejected'; action?: 'delete' | 'anonymize'; note?: string },
): Promise<RunOut> {
  const run = await ctx.db.retentionRun.findUnique({ where: { id }, select: { status: true, action: true, policyId: true } });
  if (!run) throw new AppError('RETENTION_RUN_NOT_FOUND', 'There is no such retention run.', 'id');
  if (run.status !== 'pending_approval') throw new AppError('RETENTION_RUN_NOT_PENDING', 'This run was decided already.', 'id');
  if (decision.status === 'approved' && run.action === 'review' && decision.action === undefined) {
    throw new AppError('RETENTION_ACTION_REQUIRED', 'Choose whether to delete or to anonymize.', 'action');
  }
  const action = run.action === 'review' && decision.status === 'approved' ? decision.action : undefined;
  await ctx.db.$transaction(async (tx) => {
    const updated = await tx.retentionRun.updateMany({
      where: { id, status: 'pending_approval' },
      data: {
        status: decision.status,
        approvedBy: ctx.user.id,
        approvedAt: new Date(),
        decisionNote: decision.note ?? null,
        ...(action ? { action } : {}),
      },
    });
    if (updated.count === 0) throw new AppError('RETENTION_RUN_NOT_PENDING', 'This run was decided already.', 'id');
    await audit(tx, {
      actor: `user:${ctx.user.id}`,
      action: decision.status === 'approved' ? 'retention.run.approved' : 'retention.run.rejected',
      entityType: 'retention_run',
      entityId: id,
      details: { policyId: run.policyId, ...(action ? { action } : {}) },
    });
  });
  try {
    await ctx.temporal.workflow.getHandle(retentionRunWorkflowId(id)).signal(retentionRunDecisionSignal);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  const row = await ctx.db.retentionRun.findUniqueOrThrow({ where: { id }, select: RUN_SELECT });
  return toRun(row);
}

export const retentionRouter = router({
  listPolicies: procedureFor(...READ_ROLES)
    .output(ZPolicyOut.array())
    .query(({ ctx }) => readPolicies(ctx.db)),

  getPolicy: procedureFor(...READ_ROLES)
    .input(ZIdInput)
    .output(ZPolicyOut)
    .query(({ ctx, input }) => readPolicy(ctx.db, input.id)),

  createPolicy: procedureFor(...WRITE_ROLES)
    .input(ZRetentionPolicyValues)
    .output(ZPolicyOut)
    .mutation(async ({ ctx, input }) => {
      const data = await policyColumns(ctx.db, input);
      let id: string;
      try {
        id = await ctx.db.$transaction(async (tx) => {
          const row = await tx.retentionPolicy.create({ data: { ...data, createdBy: ctx.user.id }, select: { id: true } });
          await audit(tx, {
            actor: `user:${ctx.user.id}`,
            action: 'retention.policy.created',
            entityType: 'retention_policy',
            entityId: row.id,
            details: { period: data.period, anchor: data.anchor, action: data.action, scopeKind: data.scopeKind },
          });
          return row.id;
        });
      } catch (error) {
        if (isUniqueViolation(error, 'name')) throw nameTaken();
        throw error;
      }
      return readPolicy(ctx.db, id);
    }),

  updatePolicy: procedureFor(...WRITE_ROLES)
    .input(ZUpdatePolicyInput)
    .output(ZPolicyOut)
    .mutation(async ({ ctx, input }) => {
      const data = await policyColumns(ctx.db, input.values);
      try {
        await ctx.db.$transaction(async (tx) => {
          const updated = await tx.retentionPolicy.updateMany({ where: { id: input.id }, data });
          if (updated.count === 0) throw new AppError('RETENTION_POLICY_NOT_FOUND', 'There is no such retention policy.', 'id');
          await audit(tx, {
            actor: `user:${ctx.user.id}`,
            action: 'retention.policy.updated',
            entityType: 'retention_policy',
            entityId: input.id,
            details: { period: data.period, anchor: data.anchor, action: data.action, active: data.active },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error, 'name')) throw nameTaken();
        throw error;
      }
      return readPolicy(ctx.db, input.id);
    }),

  /** Only a policy without runs: a run's record names its policy. Deactivate the others. */
  deletePolicy: procedureFor(...WRITE_ROLES)
    .input(ZIdInput)
    .output(ZDeletedOut)
    .mutation(async ({ ctx, input }) => {
      const policy = await readPolicy(ctx.db, input.id);
      if (policy.runCount > 0)
        throw new AppError('RETENTION_POLICY_IN_USE', 'Runs were made under this policy; deactivate it instead.', 'id');
      await ctx.db.$transaction(async (tx) => {
        await tx.retentionPolicy.delete({ where: { id: input.id } });
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'retention.policy.deleted',
          entityType: 'retention_policy',
          entityId: input.id,
        });
      });
      return { deleted: true as const };
    }),

  /**
   * Check one active policy now instead of waiting for the daily schedule: the same workflow, for
   * this policy only (reminders, and a run of whoever is past the deadline). One at a time.
   */
  checkNow: procedureFor(...WRITE_ROLES)
    .input(ZIdInput)
    .output(ZCheckNowOut)
    .mutation(async ({ ctx, input }) => {
      const policy = await readPolicy(ctx.db, input.id);
      if (!policy.active) throw new AppError('RETENTION_POLICY_INACTIVE', 'This policy is not active; activate it first.', 'active');
      const workflowId = retentionCheckWorkflowId(policy.id);
      try {
        await ctx.temporal.workflow.start<typeof retentionWorkflow>('retentionWorkflow', {
          taskQueue: ctx.env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE,
          workflowId,
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          workflowIdConflictPolicy: 'FAIL',
          args: [{ version: 1, policyId: policy.id }],
        });
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return { status: 'already_running' as const };
        throw error;
      }
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'retention.policy.checked',
        entityType: 'retention_policy',
        entityId: policy.id,
      });
      return { status: 'started' as const };
    }),

  /** How many contacts are past the deadline now, and how many reach it within 30 and 90 days. */
  preview: procedureFor(...READ_ROLES)
    .input(ZPreviewInput)
    .output(ZPreviewOut)
    .query(async ({ ctx, input }) => {
      const now = new Date();
      const in30 = addDays(now, 30).toISOString();
      const in90 = addDays(now, 90);
      const policy: RetentionPolicyRow = { id: 'preview', ...input, ...(await scopeColumns(ctx.db, input)) };
      const counts = { dueNow: 0, heldNow: 0, within30Days: 0, within90Days: 0, capped: false };
      let after: string | null = null;
      for (let page = 0; ; page++) {
        if (page === PREVIEW_MAX_PAGES) {
          counts.capped = true;
          break;
        }
        const result: Awaited<ReturnType<typeof retentionStatesPage>> = await retentionStatesPage(ctx.db, policy, {
          after,
          limit: PREVIEW_PAGE,
          now,
          // Reminders are counted from the deadline minus the lead days: look that much further.
          horizon: in90,
        });
        for (const { state } of result.states) {
          if (state.state === 'due') counts.dueNow++;
          else if (state.state === 'held') counts.heldNow++;
          else if (state.state !== 'no_anchor' && state.deadline <= in90.toISOString()) {
            counts.within90Days++;
            if (state.deadline <= in30) counts.within30Days++;
          }
        }
        after = result.nextCursor;
        if (after === null) break;
      }
      return counts;
    }),

  listHolds: procedureFor(...READ_ROLES)
    .output(ZHoldOut.array())
    .query(async ({ ctx }) => {
      const rows = await ctx.db.legalHold.findMany({ select: HOLD_SELECT, orderBy: [{ startsOn: 'desc' }, { id: 'asc' }] });
      const today = isoDay(new Date());
      return rows.map((r) => toHold(r, today));
    }),

  createHold: procedureFor(...WRITE_ROLES)
    .input(ZHoldValues)
    .output(ZHoldOut)
    .mutation(async ({ ctx, input }) => {
      const data = await holdColumns(ctx.db, input);
      const row = await ctx.db.$transaction(async (tx) => {
        const created = await tx.legalHold.create({ data: { ...data, createdBy: ctx.user.id }, select: HOLD_SELECT });
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'legal_hold.created',
          entityType: 'legal_hold',
          entityId: created.id,
          details: { kind: data.kind, scopeKind: data.scopeKind, startsOn: input.startsOn, endsOn: input.endsOn },
        });
        return created;
      });
      return toHold(row, isoDay(new Date()));
    }),

  updateHold: procedureFor(...WRITE_ROLES)
    .input(ZUpdateHoldInput)
    .output(ZHoldOut)
    .mutation(async ({ ctx, input }) => {
      const data = await holdColumns(ctx.db, input.values);
      const row = await ctx.db.$transaction(async (tx) => {
        const exists = await tx.legalHold.findUnique({ where: { id: input.id }, select: { id: true } });
        if (!exists) throw new AppError('LEGAL_HOLD_NOT_FOUND', 'There is no such legal hold.', 'id');
        const updated = await tx.legalHold.update({ where: { id: input.id }, data, select: HOLD_SELECT });
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'legal_hold.updated',
          entityType: 'legal_hold',
          entityId: input.id,
          details: { kind: data.kind, startsOn: input.values.startsOn, endsOn: input.values.endsOn },
        });
        return updated;
      });
      return toHold(row, isoDay(new Date()));
    }),

  deleteHold: procedureFor(...WRITE_ROLES)
    .input(ZIdInput)
    .output(ZDeletedOut)
    .mutation(async ({ ctx, input }) => {
      await ctx.db.$transaction(async (tx) => {
        const deleted = await tx.legalHold.deleteMany({ where: { id: input.id } });
        if (deleted.count === 0) throw new AppError('LEGAL_HOLD_NOT_FOUND', 'There is no such legal hold.', 'id');
        await audit(tx, { actor: `user:${ctx.user.id}`, action: 'legal_hold.deleted', entityType: 'legal_hold', entityId: input.id });
      });
      return { deleted: true as const };
    }),

  listRuns: procedureFor(...READ_ROLES)
    .input(ZRunListInput)
    .output(ZRunOut.array())
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.retentionRun.findMany({
        where: { ...(input.policyId ? { policyId: input.policyId } : {}), ...(input.status ? { status: input.status } : {}) },
        select: RUN_SELECT,
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
        take: 200,
      });
      return rows.map(toRun);
    }),

  /** A run and a page of its items: contact IDs, deadlines and outcomes, no personal data. */
  getRun: procedureFor(...READ_ROLES)
    .input(ZRunGetInput)
    .output(ZRunDetailOut)
    .query(async ({ ctx, input }) => {
      const row = await ctx.db.retentionRun.findUnique({ where: { id: input.id }, select: RUN_SELECT });
      if (!row) throw new AppError('RETENTION_RUN_NOT_FOUND', 'There is no such retention run.', 'id');
      const items = await ctx.db.retentionRunItem.findMany({
        where: { runId: input.id, ...(input.afterContactId ? { contactId: { gt: input.afterContactId } } : {}) },
        select: { contactId: true, deadline: true, plannedAction: true, outcome: true, reason: true, holdId: true, processedAt: true },
        orderBy: { contactId: 'asc' },
        take: input.limit,
      });
      return {
        run: toRun(row),
        items: items.map((i) => ({ ...i, deadline: i.deadline.toISOString(), processedAt: i.processedAt?.toISOString() ?? null })),
        nextCursor: items.length === input.limit ? (items.at(-1)?.contactId ?? null) : null,
      };
    }),

  approveRun: procedureFor(...WRITE_ROLES)
    .input(ZApproveInput)
    .output(ZRunOut)
    .mutation(({ ctx, input }) => decideRun(ctx, input.id, { status: 'approved', ...(input.action ? { action: input.action } : {}) })),

  rejectRun: procedureFor(...WRITE_ROLES)
    .input(ZRejectInput)
    .output(ZRunOut)
    .mutation(({ ctx, input }) => decideRun(ctx, input.id, { status: 'rejected', note: input.note })),
});
