import { randomUUID } from 'node:crypto';
import { subDays, subMonths } from 'date-fns';
import { retentionCheckWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retentionPeriodsFor } from '../../retention/periods.ts';
import { createHarness, type Harness } from '../../test/harness.ts';
import { codeOf, rejection } from '../../test/helpers.ts';

const policyValues = (overrides: Record<string, unknown> = {}) => ({
  name: `Newsletter ${randomUUID().slice(0, 6)}`,
  scopeKind: 'purpose' as const,
  purposeId: 'newsletter',
  dataCategory: null,
  period: 'P24M',
  anchor: 'last_interaction' as const,
  action: 'delete' as const,
  reminderLeadDays: 30,
  requiresApproval: true,
  active: true,
  ...overrides,
});

/** The retention router against the real PostgreSQL and Temporal (no worker: a signalled run has no workflow here). */
describe('retention policies, legal holds and runs (API)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());
  const dpo = () => h.callerFor('dpo').caller;

  it('refuses a bad period, naming the field, and writes nothing', async () => {
    for (const period of ['24 months', 'PT24H', 'P0D', 'P200Y']) {
      const error = await rejection(dpo().retention.createPolicy(policyValues({ period })));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toMatch(/^period: /);
    }
    const scope = await rejection(dpo().retention.createPolicy(policyValues({ purposeId: null })));
    expect(scope.message).toMatch(/^purposeId: choose a purpose/);
    const unknown = await rejection(dpo().retention.createPolicy(policyValues({ purposeId: 'no_such_purpose' })));
    expect(unknown.cause.code).toBe('RETENTION_SCOPE_INVALID');
    expect(unknown.cause.field).toBe('purposeId');
    expect(await h.db.retentionPolicy.count()).toBe(0);
  });

  it('creates, lists, updates and deletes a policy for the DPO; admins read; others may not', async () => {
    const created = await dpo().retention.createPolicy(policyValues({ name: 'Newsletter cleanup', period: ' p24m ' }));
    expect(created).toMatchObject({
      name: 'Newsletter cleanup',
      period: 'P24M',
      purposeName: 'Newsletter',
      runCount: 0,
      pendingRuns: 0,
    });
    expect((await h.callerFor('admin').caller.retention.listPolicies()).map((p) => p.id)).toContain(created.id);
    expect(await codeOf(h.callerFor('admin').caller.retention.createPolicy(policyValues()))).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor('marketer').caller.retention.listPolicies())).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor(null).caller.retention.listPolicies())).toBe('UNAUTHORIZED');

    const taken = await rejection(dpo().retention.createPolicy(policyValues({ name: 'Newsletter cleanup' })));
    expect(taken.cause.code).toBe('RETENTION_POLICY_NAME_TAKEN');

    const updated = await dpo().retention.updatePolicy({
      id: created.id,
      values: policyValues({
        name: 'Newsletter cleanup',
        scopeKind: 'data_category',
        purposeId: 'newsletter',
        dataCategory: 'behavioural',
        action: 'anonymize',
      }),
    });
    // The scope's own column only: the purpose is cleared for a category policy.
    expect(updated).toMatchObject({ scopeKind: 'data_category', purposeId: null, dataCategory: 'behavioural', action: 'anonymize' });
    const audits = await h.db.auditEvent.findMany({
      where: { entityType: 'retention_policy', entityId: created.id },
      select: { action: true },
    });
    expect(audits.map((a) => a.action)).toEqual(['retention.policy.created', 'retention.policy.updated']);

    await dpo().retention.deletePolicy({ id: created.id });
    expect((await rejection(dpo().retention.getPolicy({ id: created.id }))).cause.code).toBe('RETENTION_POLICY_NOT_FOUND');
  });

  it('previews how many contacts are due now, held, and reach the deadline within 30 and 90 days; the periods read by others', async () => {
    const now = new Date();
    const contact = async (lastInteractionMonthsAgo: number, extraDays = 0) => {
      const id = randomUUID();
      const at = subDays(subMonths(now, lastInteractionMonthsAgo), extraDays);
      await h.db.contact.create({ data: { id, email: `${id}@people.example`, emailNormalized: `${id}@people.example`, createdAt: at } });
      await h.db.consentEvent.create({
        data: {
          contactId: id,
          purposeId: 'newsletter',
          channel: 'email',
          kind: 'granted',
          occurredAt: at,
          method: 'web_form',
          source: 'test',
          actor: 'contact',
        },
      });
      return id;
    };
    await contact(25); // due
    const held = await contact(26); // due, but held
    await contact(24, -20); // deadline in 20 days
    await contact(24, -60); // deadline in 60 days
    await contact(12); // a year to go
    await dpo().retention.createHold({
      kind: 'litigation',
      scopeKind: 'contact',
      purposeId: null,
      dataCategory: null,
      contactId: held,
      reason: 'LG Berlin 15 O 99/26',
      startsOn: now.toISOString().slice(0, 10),
      endsOn: null,
    });
    const preview = await dpo().retention.preview({
      scopeKind: 'purpose',
      purposeId: 'newsletter',
      dataCategory: null,
      period: 'P24M',
      anchor: 'last_interaction',
      reminderLeadDays: 30,
    });
    expect(preview).toEqual({ dueNow: 1, heldNow: 1, within30Days: 1, within90Days: 2, capped: false });

    const policy = await dpo().retention.createPolicy(policyValues({ name: 'Newsletter periods' }));
    const category = await dpo().retention.createPolicy(
      policyValues({
        name: 'Location data',
        scopeKind: 'data_category',
        purposeId: null,
        dataCategory: 'location',
        period: 'P3Y',
        anchor: 'created',
      }),
    );
    const periods = await retentionPeriodsFor(h.db, ['newsletter', 'sales_calls']);
    // The newsletter uses the city (location): both policies apply to it; sales calls use no location field.
    expect(
      periods
        .filter((p) => p.purposeId === 'newsletter')
        .map((p) => p.policyId)
        .sort(),
    ).toEqual([policy.id, category.id].sort());
    expect(periods.find((p) => p.policyId === policy.id)).toEqual({
      purposeId: 'newsletter',
      policyId: policy.id,
      period: 'P24M',
      anchor: 'last_interaction',
      action: 'delete',
    });
    expect(periods.filter((p) => p.purposeId === 'sales_calls')).toEqual([]);
  });

  it('checks one policy now through the retention workflow, once at a time, and only an active one', async () => {
    const policy = await dpo().retention.createPolicy(policyValues({ name: 'Checked now' }));
    expect(await dpo().retention.checkNow({ id: policy.id })).toEqual({ status: 'started' });
    expect(await dpo().retention.checkNow({ id: policy.id })).toEqual({ status: 'already_running' });
    const handle = h.temporal.workflow.getHandle(retentionCheckWorkflowId(policy.id));
    expect((await handle.describe()).type).toBe('retentionWorkflow');
    await handle.terminate('test done');
    await dpo().retention.updatePolicy({ id: policy.id, values: policyValues({ name: 'Checked now', active: false }) });
    expect((await rejection(dpo().retention.checkNow({ id: policy.id }))).cause.code).toBe('RETENTION_POLICY_INACTIVE');
  });

  it('keeps legal holds: validated, listed as in force, ended, deleted', async () => {
    const bad = await rejection(
      dpo().retention.createHold({
        kind: 'tax_ao_147',
        scopeKind: 'data_category',
        purposeId: null,
        dataCategory: null,
        contactId: null,
        reason: '§ 147 AO',
        startsOn: '2026-01-01',
        endsOn: '2025-12-31',
      }),
    );
    expect(bad.message).toMatch(/dataCategory: say what the hold covers/);
    expect(bad.message).toMatch(/endsOn: ends before it starts/);
    const hold = await dpo().retention.createHold({
      kind: 'tax_ao_147',
      scopeKind: 'data_category',
      purposeId: null,
      dataCategory: 'transaction',
      contactId: null,
      reason: '§ 147 AO: ten years',
      startsOn: '2026-01-01',
      endsOn: null,
    });
    expect(hold).toMatchObject({ inForce: true, dataCategory: 'transaction', endsOn: null });
    const ended = await dpo().retention.updateHold({ id: hold.id, values: { ...hold, endsOn: '2026-06-30' } });
    expect(ended).toMatchObject({ inForce: false, endsOn: '2026-06-30' });
    expect((await h.callerFor('admin').caller.retention.listHolds()).find((x) => x.id === hold.id)?.inForce).toBe(false);
    await dpo().retention.deleteHold({ id: hold.id });
    expect((await rejection(dpo().retention.deleteHold({ id: hold.id }))).cause.code).toBe('LEGAL_HOLD_NOT_FOUND');
  });

  it('approves or rejects a pending run once; a review run needs the action', async () => {
    const policy = await dpo().retention.createPolicy(policyValues({ name: 'Runs', action: 'review' }));
    const run = async (status: 'pending_approval' | 'done') => {
      const id = randomUUID();
      await h.db.retentionRun.create({ data: { id, policyId: policy.id, status, action: 'review', dueAt: new Date(), contactsTotal: 1 } });
      await h.db.retentionRunItem.create({ data: { runId: id, contactId: randomUUID(), deadline: new Date(), plannedAction: 'review' } });
      return id;
    };
    const pending = await run('pending_approval');
    expect((await rejection(dpo().retention.approveRun({ id: pending }))).cause.code).toBe('RETENTION_ACTION_REQUIRED');
    expect(await codeOf(h.callerFor('admin').caller.retention.approveRun({ id: pending, action: 'anonymize' }))).toBe('FORBIDDEN');
    const approved = await dpo().retention.approveRun({ id: pending, action: 'anonymize' });
    expect(approved).toMatchObject({ status: 'approved', action: 'anonymize', approvedBy: h.userId('dpo') });
    expect((await rejection(dpo().retention.rejectRun({ id: pending, note: 'too late' }))).cause.code).toBe('RETENTION_RUN_NOT_PENDING');

    const other = await run('pending_approval');
    const rejected = await dpo().retention.rejectRun({ id: other, note: 'The archive is under review' });
    expect(rejected).toMatchObject({ status: 'rejected', action: 'review', decisionNote: 'The archive is under review' });
    const detail = await h.callerFor('admin').caller.retention.getRun({ id: other });
    expect(detail.items).toHaveLength(1);
    expect(detail.items[0]).toMatchObject({ outcome: null, plannedAction: 'review' });
    expect((await dpo().retention.listRuns({ policyId: policy.id, status: 'pending_approval' })).map((r) => r.id)).toEqual([]);
    expect((await dpo().retention.listPolicies()).find((p) => p.id === policy.id)?.runCount).toBe(2);
    expect((await rejection(dpo().retention.deletePolicy({ id: policy.id }))).cause.code).toBe('RETENTION_POLICY_IN_USE');
    const decisions = await h.db.auditEvent.findMany({ where: { entityType: 'retention_run' }, select: { action: true, entityId: true } });
    expect(decisions).toEqual(
      expect.arrayContaining([
        { action: 'retention.run.approved', entityId: pending },
        { action: 'retention.run.rejected', entityId: other },
      ]),
    );
  });
});
