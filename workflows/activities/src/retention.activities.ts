import type { Db, Prisma, RetentionAction, RetentionItemOutcome } from '@zweck/db';
import { RETENTION_POLICY_SELECT, retentionStatesPage, type RetentionPolicyRow } from '@zweck/decision-facts';
import type { Mailer } from '@zweck/mail';
import type { ActivitiesConfig } from './activities.ts';
import { notifyDpo } from './dpo-notices.ts';
import type { ErasureMode, ErasureOutcome } from './erasure/erase-contact.ts';

export interface RetentionActivityDeps {
  db: Db;
  mailer: Mailer;
  config: ActivitiesConfig;
  now: () => Date;
}

/** Who the audit log names for what the retention schedule does on its own. */
export const RETENTION_ACTOR = 'system:retention';

/** The erasure mode of a run's action; a `review` run carries the action the DPO approved. */
export function erasureModeOf(action: RetentionAction): ErasureMode | null {
  if (action === 'delete') return 'erase';
  if (action === 'anonymize') return 'anonymize';
  return null;
}

const dayOf = (iso: string): string => iso.slice(0, 10);

async function auditOnce(
  db: Pick<Db, 'auditEvent'>,
  entry: { action: string; entityType: string; entityId: string; details: Prisma.InputJsonObject },
): Promise<void> {
  // Retried activities must not write a second entry: the (action, entity) pair is the key here.
  const exists = await db.auditEvent.findFirst({
    where: { action: entry.action, entityType: entry.entityType, entityId: entry.entityId },
    select: { id: true },
  });
  if (exists) return;
  await db.auditEvent.create({ data: { actor: RETENTION_ACTOR, ...entry } });
}

/**
 * The deletion concept carried out (Art. 5(1)(e), 17(1)(a) GDPR): reminders ahead of deadlines,
 * runs of the contacts past theirs, and per contact a restriction (a legal hold in force) or the
 * erasure's delete/anonymize. IDs, dates and counts only cross into the workflow. Deadlines are
 * judged `asOf` the workflow's clock, so that one daily run sees one instant (and a test with the
 * time-skipping server sees the days pass).
 */
export function createRetentionActivities({ db, mailer, config, now }: RetentionActivityDeps) {
  const loadPolicy = async (policyId: string) =>
    db.retentionPolicy.findUnique({
      where: { id: policyId },
      select: { ...RETENTION_POLICY_SELECT, action: true, requiresApproval: true, active: true },
    });

  return {
    /** The active policies, by ID. */
    async listRetentionPolicies(): Promise<{ policyIds: string[] }> {
      const rows = await db.retentionPolicy.findMany({ where: { active: true }, select: { id: true }, orderBy: { id: 'asc' } });
      return { policyIds: rows.map((r) => r.id) };
    },

    /**
     * One page of the policy's contacts: those whose deadline falls within the reminder lead time
     * are announced to the DPO, one inbox notice (and mail) per policy and deadline day, once.
     */
    async remindRetentionDue(input: { policyId: string; asOf: string; after: string | null; limit: number }): Promise<{
      nextCursor: string | null;
      reminded: number;
      noticesCreated: number;
    }> {
      const policy = await loadPolicy(input.policyId);
      if (!policy?.active) return { nextCursor: null, reminded: 0, noticesCreated: 0 };
      const { states, nextCursor } = await retentionStatesPage(db, policy, {
        after: input.after,
        limit: input.limit,
        now: new Date(input.asOf),
      });
      const byDay = new Map<string, string>();
      let reminded = 0;
      for (const { state } of states) {
        if (state.state !== 'remind') continue;
        reminded++;
        const day = dayOf(state.deadline);
        const earliest = byDay.get(day);
        if (earliest === undefined || state.deadline < earliest) byDay.set(day, state.deadline);
      }
      let noticesCreated = 0;
      for (const [day, deadline] of [...byDay].sort()) {
        const { created } = await notifyDpo(
          { db, mailer, config, now },
          {
            kind: 'retention_due',
            subjectType: 'retention_policy',
            subjectId: policy.id,
            dueAt: deadline,
            dedupeKey: `retention_due:${policy.id}:${day}`,
          },
        );
        if (created) noticesCreated++;
      }
      return { nextCursor, reminded, noticesCreated };
    },

    /**
     * One page of the policy's contacts past their deadline goes into the run `runId` (minted by
     * the workflow; created with the first contact). A contact already handled for the same
     * deadline (in an open or rejected run, deleted, anonymized, skipped, or restricted while its
     * hold is still in force) is not proposed again. Returns how many items the run holds.
     */
    async planRetentionRun(input: { policyId: string; runId: string; asOf: string; after: string | null; limit: number }): Promise<{
      nextCursor: string | null;
      runItems: number;
    }> {
      const policy = await loadPolicy(input.policyId);
      if (!policy?.active) return { nextCursor: null, runItems: 0 };
      const at = new Date(input.asOf);
      const { states, nextCursor } = await retentionStatesPage(db, policy, { after: input.after, limit: input.limit, now: at });
      const due = states.flatMap(({ contactId, state }) =>
        state.state === 'due' || state.state === 'held' ? [{ contactId, deadline: state.deadline, held: state.state === 'held' }] : [],
      );
      if (due.length > 0) {
        const earlier = await db.retentionRunItem.findMany({
          where: { contactId: { in: due.map((d) => d.contactId) }, run: { policyId: policy.id }, NOT: { runId: input.runId } },
          select: { contactId: true, deadline: true, outcome: true },
        });
        const fresh = due.filter(
          (d) =>
            !earlier.some(
              (e) =>
                e.contactId === d.contactId &&
                e.deadline.toISOString() === d.deadline &&
                // A restriction whose hold has ended is carried out now.
                !(e.outcome === 'restricted_by_hold' && !d.held),
            ),
        );
        if (fresh.length > 0) {
          const needsDecision = policy.requiresApproval || policy.action === 'review';
          await db.retentionRun.upsert({
            where: { id: input.runId },
            create: {
              id: input.runId,
              policyId: policy.id,
              status: needsDecision ? 'pending_approval' : 'approved',
              action: policy.action,
              dueAt: at,
            },
            update: {},
          });
          await db.retentionRunItem.createMany({
            data: fresh.map((d) => ({
              runId: input.runId,
              contactId: d.contactId,
              deadline: new Date(d.deadline),
              plannedAction: policy.action,
            })),
            skipDuplicates: true,
          });
        }
      }
      const runItems = await db.retentionRunItem.count({ where: { runId: input.runId } });
      return { nextCursor, runItems };
    },

    /**
     * The run is complete: record its size and the audit entry, and where it waits for the DPO,
     * put it in their inbox (once). Returns where it stands.
     */
    async openRetentionRun(input: {
      runId: string;
    }): Promise<{ status: string; action: RetentionAction; policyId: string; total: number }> {
      const total = await db.retentionRunItem.count({ where: { runId: input.runId } });
      const run = await db.retentionRun.update({
        where: { id: input.runId },
        data: { contactsTotal: total },
        select: { status: true, action: true, policyId: true },
      });
      await auditOnce(db, {
        action: 'retention.run.created',
        entityType: 'retention_run',
        entityId: input.runId,
        details: { policyId: run.policyId, contacts: total, status: run.status },
      });
      if (run.status === 'pending_approval') {
        await notifyDpo(
          { db, mailer, config, now },
          {
            kind: 'retention_approval',
            subjectType: 'retention_run',
            subjectId: input.runId,
            dueAt: null,
            dedupeKey: `retention_approval:${input.runId}`,
          },
        );
      }
      return { status: run.status, action: run.action, policyId: run.policyId, total };
    },

    /** The DPO's decision as the database holds it (the API writes it before it signals). */
    async loadRetentionRunDecision(input: { runId: string }): Promise<{ status: string; action: RetentionAction; policyId: string }> {
      return db.retentionRun.findUniqueOrThrow({ where: { id: input.runId }, select: { status: true, action: true, policyId: true } });
    },

    /**
     * The next page of the run's open items, checked afresh: a deadline that moved (a new
     * interaction, a new contract) is skipped, a legal hold in force turns the deletion into a
     * restriction (the contact is kept, marked restricted, and its running journeys are named
     * for the workflow to signal), the rest come back to be erased. Restrictions and skips are
     * recorded here with their audit entries; erasures by `recordRetentionErasure`.
     */
    async prepareRetentionBatch(input: { runId: string; asOf: string; after: string | null; limit: number }): Promise<{
      nextCursor: string | null;
      erase: Array<{ contactId: string; mode: ErasureMode }>;
      journeyWorkflowIds: string[];
    }> {
      const run = await db.retentionRun.findUniqueOrThrow({
        where: { id: input.runId },
        select: { id: true, policyId: true, action: true, status: true, policy: { select: RETENTION_POLICY_SELECT } },
      });
      const items = await db.retentionRunItem.findMany({
        where: { runId: run.id, ...(input.after === null ? {} : { contactId: { gt: input.after } }) },
        select: { contactId: true, outcome: true },
        orderBy: { contactId: 'asc' },
        take: input.limit,
      });
      const nextCursor = items.length === input.limit ? (items.at(-1)?.contactId ?? null) : null;
      const open = items.filter((i) => i.outcome === null).map((i) => i.contactId);
      const mode = erasureModeOf(run.action);
      if (open.length === 0 || run.status !== 'approved' || mode === null) return { nextCursor, erase: [], journeyWorkflowIds: [] };

      const at = new Date(input.asOf);
      const policy: RetentionPolicyRow = run.policy;
      const { states } = await retentionStatesPage(db, policy, { after: null, limit: open.length, now: at, contactIds: open });
      const stateOf = new Map(states.map((s) => [s.contactId, s.state]));
      const erase: Array<{ contactId: string; mode: ErasureMode }> = [];
      const restricted: string[] = [];
      for (const contactId of open) {
        const state = stateOf.get(contactId);
        const finish = async (outcome: RetentionItemOutcome, reason: string | null, holdId: string | null = null) => {
          await db.$transaction(async (tx) => {
            await tx.retentionRunItem.update({
              where: { runId_contactId: { runId: run.id, contactId } },
              data: { outcome, reason, holdId, processedAt: at },
            });
            if (outcome === 'restricted_by_hold')
              await tx.contact.updateMany({ where: { id: contactId, status: 'active' }, data: { status: 'restricted' } });
            await tx.auditEvent.create({
              data: {
                actor: RETENTION_ACTOR,
                action: `retention.contact.${outcome}`,
                entityType: 'contact',
                entityId: contactId,
                details: { policyId: run.policyId, runId: run.id, ...(reason ? { reason } : {}), ...(holdId ? { holdId } : {}) },
              },
            });
          });
        };
        if (state?.state === 'held') {
          await finish('restricted_by_hold', 'legal_hold', state.holdId);
          restricted.push(contactId);
        } else if (state?.state === 'due') {
          erase.push({ contactId, mode });
        } else {
          // Erased meanwhile, restricted at the person's request, or the anchor moved: not due any more.
          await finish('skipped', 'no_longer_due');
        }
      }
      const enrolments =
        restricted.length === 0
          ? []
          : await db.journeyEnrollment.findMany({
              where: { contactId: { in: restricted }, status: 'active' },
              select: { workflowId: true },
            });
      return { nextCursor, erase, journeyWorkflowIds: enrolments.map((e) => e.workflowId) };
    },

    /** One contact erased by the run: its item and an audit entry with IDs and counts. */
    async recordRetentionErasure(input: { runId: string; outcome: ErasureOutcome }): Promise<void> {
      const { contactId, mode, database } = input.outcome;
      const outcome: RetentionItemOutcome = mode === 'erase' ? 'deleted' : 'anonymized';
      const run = await db.retentionRun.findUniqueOrThrow({ where: { id: input.runId }, select: { policyId: true } });
      await db.$transaction(async (tx) => {
        const updated = await tx.retentionRunItem.updateMany({
          where: { runId: input.runId, contactId, outcome: null },
          data: { outcome, processedAt: now() },
        });
        if (updated.count === 0) return;
        await tx.auditEvent.create({
          data: {
            actor: RETENTION_ACTOR,
            action: `retention.contact.${outcome}`,
            entityType: 'contact',
            entityId: contactId,
            details: {
              policyId: run.policyId,
              runId: input.runId,
              rowsDeleted: database.rowsDeleted,
              rowsAnonymized: database.rowsAnonymized,
            },
          },
        });
      });
    },

    /** The run is over: its counts from its items, and the policy-level audit entry. */
    async finishRetentionRun(input: { runId: string }): Promise<Record<RetentionItemOutcome, number>> {
      const groups = await db.retentionRunItem.groupBy({ by: ['outcome'], where: { runId: input.runId }, _count: { _all: true } });
      const counts: Record<RetentionItemOutcome, number> = { deleted: 0, anonymized: 0, restricted_by_hold: 0, skipped: 0 };
      for (const g of groups) if (g.outcome !== null) counts[g.outcome] = g._count._all;
      const run = await db.retentionRun.update({
        where: { id: input.runId },
        data: {
          status: 'done',
          finishedAt: now(),
          deletedCount: counts.deleted,
          anonymizedCount: counts.anonymized,
          restrictedCount: counts.restricted_by_hold,
          skippedCount: counts.skipped,
        },
        select: { policyId: true },
      });
      await auditOnce(db, {
        action: 'retention.run.done',
        entityType: 'retention_run',
        entityId: input.runId,
        details: { policyId: run.policyId, ...counts },
      });
      return counts;
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
