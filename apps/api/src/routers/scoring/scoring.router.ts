import { randomUUID } from 'node:crypto';
import type { Prisma } from '@zweck/db';
import { readLeadSettings } from '@zweck/leads';
import { audit } from '../../audit.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import { startHandoff } from '../leads/handoff-start.ts';
import {
  ZHandOffInput,
  ZHandOffOut,
  ZRepOut,
  ZRuleIdInput,
  ZSaveRepInput,
  ZSalesUserOut,
  ZRuleOut,
  ZRuleValues,
  ZSettingsOut,
  ZSettingsValues,
  ZUpdateRuleInput,
} from './scoring.schema.ts';

/** Marketers define how leads are scored and when they go to sales; administrators too. */
const SCORING_ROLES = ['admin', 'marketer'] as const;

const ruleSelect = {
  id: true,
  name: true,
  sourceType: true,
  match: true,
  points: true,
  halfLifeDays: true,
  isActive: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.ScoringRuleSelect;

const settingsOut = (row: Awaited<ReturnType<typeof readLeadSettings>>) => ({
  threshold: row.threshold,
  dueHours: row.dueHours,
  assignmentMode: row.assignmentMode,
  territoryFieldKey: row.territoryFieldKey,
  updatedBy: row.updatedBy,
  updatedAt: row.updatedAt,
});

export const scoringRouter = router({
  listRules: procedureFor(...SCORING_ROLES)
    .output(ZRuleOut.array())
    .query(({ ctx }) => ctx.db.scoringRule.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: ruleSelect })),

  createRule: procedureFor(...SCORING_ROLES)
    .input(ZRuleValues)
    .output(ZRuleOut)
    .mutation(({ ctx, input }) =>
      ctx.db.$transaction(async (tx) => {
        const rule = await tx.scoringRule.create({
          data: { id: randomUUID(), ...input, createdBy: `user:${ctx.user.id}` },
          select: ruleSelect,
        });
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'scoring.rule.create',
          entityType: 'scoring_rule',
          entityId: rule.id,
          details: { ...input },
        });
        return rule;
      }),
    ),

  updateRule: procedureFor(...SCORING_ROLES)
    .input(ZUpdateRuleInput)
    .output(ZRuleOut)
    .mutation(({ ctx, input }) =>
      ctx.db.$transaction(async (tx) => {
        const found = await tx.scoringRule.updateMany({ where: { id: input.id }, data: input.values });
        if (found.count === 0) throw new AppError('SCORING_RULE_NOT_FOUND', 'There is no such scoring rule.', 'id');
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'scoring.rule.update',
          entityType: 'scoring_rule',
          entityId: input.id,
          details: { ...input.values },
        });
        return tx.scoringRule.findUniqueOrThrow({ where: { id: input.id }, select: ruleSelect });
      }),
    ),

  /** Score changes it made stay, with their points and decay; they no longer name the rule. */
  deleteRule: procedureFor(...SCORING_ROLES)
    .input(ZRuleIdInput)
    .output(ZRuleIdInput)
    .mutation(({ ctx, input }) =>
      ctx.db.$transaction(async (tx) => {
        const found = await tx.scoringRule.deleteMany({ where: { id: input.id } });
        if (found.count === 0) throw new AppError('SCORING_RULE_NOT_FOUND', 'There is no such scoring rule.', 'id');
        await audit(tx, { actor: `user:${ctx.user.id}`, action: 'scoring.rule.delete', entityType: 'scoring_rule', entityId: input.id });
        return { id: input.id };
      }),
    ),

  getSettings: procedureFor(...SCORING_ROLES)
    .output(ZSettingsOut)
    .query(async ({ ctx }) => settingsOut(await readLeadSettings(ctx.db))),

  updateSettings: procedureFor(...SCORING_ROLES)
    .input(ZSettingsValues)
    .output(ZSettingsOut)
    .mutation(async ({ ctx, input }) => {
      if (input.assignmentMode === 'territory' && input.territoryFieldKey === null) {
        throw new AppError('TERRITORY_FIELD_REQUIRED', 'Choose the field whose value names the territory.', 'territoryFieldKey');
      }
      if (input.territoryFieldKey !== null) {
        const field = await ctx.db.fieldDefinition.findUnique({ where: { key: input.territoryFieldKey }, select: { type: true } });
        if (!field || field.type === 'free_text') {
          throw new AppError('FIELD_NOT_FOUND', 'Choose a field of the catalogue (not free text).', 'territoryFieldKey');
        }
      }
      return ctx.db.$transaction(async (tx) => {
        await readLeadSettings(tx);
        const row = await tx.leadSettings.update({ where: { id: 1 }, data: { ...input, updatedBy: `user:${ctx.user.id}` } });
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'lead.settings.update',
          entityType: 'lead_settings',
          entityId: '1',
          details: { ...input },
        });
        return settingsOut(row);
      });
    }),

  /** The sales reps who receive leads, with their territories and open leads. */
  listReps: procedureFor(...SCORING_ROLES)
    .output(ZRepOut.array())
    .query(async ({ ctx }) => {
      const reps = await ctx.db.salesRep.findMany({
        orderBy: { createdAt: 'asc' },
        select: {
          userId: true,
          territories: true,
          isActive: true,
          lastAssignedAt: true,
          user: { select: { displayName: true, isActive: true } },
          manager: { select: { displayName: true } },
        },
      });
      const open = await ctx.db.lead.groupBy({ by: ['ownerId'], where: { status: 'open' }, _count: { _all: true } });
      const openBy = new Map(open.map((o) => [o.ownerId, o._count._all]));
      return reps.map((r) => ({
        userId: r.userId,
        displayName: r.user.displayName,
        territories: r.territories,
        isActive: r.isActive && r.user.isActive,
        managerName: r.manager?.displayName ?? null,
        openLeads: openBy.get(r.userId) ?? 0,
        lastAssignedAt: r.lastAssignedAt,
      }));
    }),

  /** Users with the role Sales, for choosing reps and managers. */
  listSalesUsers: procedureFor(...SCORING_ROLES)
    .output(ZSalesUserOut.array())
    .query(async ({ ctx }) => {
      const users = await ctx.db.user.findMany({
        where: { role: 'sales', isActive: true },
        orderBy: { displayName: 'asc' },
        select: { id: true, displayName: true, salesRep: { select: { userId: true } } },
      });
      return users.map((u) => ({ id: u.id, displayName: u.displayName, isRep: u.salesRep !== null }));
    }),

  /** Make a sales user a rep who receives leads, or change their territories, manager and whether they take new leads. */
  saveRep: procedureFor(...SCORING_ROLES)
    .input(ZSaveRepInput)
    .output(ZSaveRepInput)
    .mutation(async ({ ctx, input }) => {
      for (const [field, id] of [
        ['userId', input.userId],
        ['managerId', input.managerId],
      ] as const) {
        if (id === null) continue;
        const user = await ctx.db.user.findUnique({ where: { id }, select: { role: true, isActive: true } });
        if (user?.role !== 'sales' || !user.isActive)
          throw new AppError('SALES_USER_NOT_FOUND', 'Choose an active user with the role Sales.', field);
      }
      const data = { territories: input.territories, isActive: input.isActive, managerId: input.managerId };
      const rep = await ctx.db.$transaction(async (tx) => {
        const saved = await tx.salesRep.upsert({
          where: { userId: input.userId },
          create: { userId: input.userId, ...data },
          update: data,
          select: { userId: true, territories: true, isActive: true, managerId: true },
        });
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'sales_rep.save',
          entityType: 'user',
          entityId: input.userId,
          details: { ...data },
        });
        return saved;
      });
      return rep;
    }),

  /** Hand a contact to sales by hand: the same workflow as a threshold crossing, asking the same policy. */
  handOff: procedureFor(...SCORING_ROLES)
    .input(ZHandOffInput)
    .output(ZHandOffOut)
    .mutation(async ({ ctx, input }) => {
      const contact = await ctx.db.contact.findUnique({ where: { id: input.contactId }, select: { id: true } });
      if (!contact) throw new AppError('CONTACT_NOT_FOUND', 'There is no such contact.', 'contactId');
      const open = await ctx.db.lead.findFirst({ where: { contactId: input.contactId, status: 'open' }, select: { id: true } });
      if (open) throw new AppError('HANDOFF_ALREADY_RUNNING', 'This contact already has an open lead.', 'contactId');
      const started = await startHandoff(
        ctx.temporal,
        input.contactId,
        { kind: 'manual', userId: ctx.user.id },
        ctx.env.TEMPORAL_TASK_QUEUE,
      );
      if (started === 'already_started')
        throw new AppError('HANDOFF_ALREADY_RUNNING', 'A handoff of this contact is under way.', 'contactId');
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'lead.handoff.manual',
        entityType: 'contact',
        entityId: input.contactId,
      });
      return { started: true as const };
    }),
});
