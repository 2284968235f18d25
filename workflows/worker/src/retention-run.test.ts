import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createDb, contactPayloadKeyRows, type Db } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { createMailer, type Mailer } from '@zweck/mail';
import { startMailSink, type MailSink } from '@zweck/mail-sink';
import { createContactScope, createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import type { retentionRunWorkflow, retentionWorkflow } from '@zweck/workflows';
import { contactScopeOfWorkflowId, retentionRunDecisionSignal, retentionRunWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErasureServices } from './erasure-services.ts';
import { ensureRetentionSchedule } from './retention-schedule.ts';
import { decideRunInDb, monthsAgo, retentionContact, retentionPolicy } from './test/retention-fixtures.ts';
import { createWorker } from './worker.ts';

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through infra/test.sh`);
  return value;
};

/**
 * The retention run against the real Temporal dev server (the erasure terminates and deletes
 * executions, which the time-skipping server does not implement), real PostgreSQL and SMTP: the
 * contacts are past their deadlines already, so no time has to pass.
 */
describe('retention runs on the real stack: approval, delete, anonymize, legal hold, rejection', () => {
  const payloadKeys = ZPayloadKeys.parse(`test:${randomBytes(32).toString('base64')}`);
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const taskQueue = `retention-${randomBytes(4).toString('hex')}`;
  let database: TestDatabase;
  let db: Db;
  let sink: MailSink;
  let mailer: Mailer;
  let nativeConnection: NativeConnection;
  let clientConnection: Connection;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  let dpoId: string;

  beforeAll(async () => {
    [database, sink] = await Promise.all([
      createTestDatabase(need('ZWECK_PG_SERVER_URL'), 'retention'),
      startMailSink({ smtpPort: 0, httpPort: 0 }),
    ]);
    db = createDb(database.url, { maxConnections: 5 });
    await seedCatalogue(db);
    dpoId = (
      await db.user.create({
        data: { email: 'dpo@office.example', displayName: 'The DPO', role: 'dpo', passwordHash: 'not-used' },
        select: { id: true },
      })
    ).id;
    mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${sink.smtpPort}`, from: '"Zweck" <news@zweck.test>' });
    const address = need('TEMPORAL_ADDRESS');
    const scope = createContactScope(payloadKeys, contactPayloadKeyRows(db), contactScopeOfWorkflowId);
    nativeConnection = await NativeConnection.connect({ address });
    clientConnection = await Connection.connect({ address });
    client = new Client({ connection: clientConnection, namespace, dataConverter: createDataConverter(payloadKeys, scope) });
    worker = await createWorker({
      connection: nativeConnection,
      namespace,
      taskQueue,
      payloadKeys,
      contactScope: scope,
      deps: {
        db,
        mailer,
        erasure: createErasureServices({ client, db, scope, ring: payloadKeys, mailSinkUrl: `http://127.0.0.1:${sink.httpPort}` }),
        config: {
          publicUrl: 'https://zweck.test',
          mailDomain: 'zweck.test',
          unsubscribeSecret: randomBytes(32).toString('hex'),
          suppressionKey: randomBytes(32).toString('hex'),
          sender: { imprint: 'Zweck Test GmbH, Berlin', privacyNoticeUrl: 'https://zweck.test/privacy' },
          controllerName: 'Zweck Test GmbH',
        },
      },
    });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    mailer?.close();
    await clientConnection?.close();
    await nativeConnection?.close();
    await db?.$disconnect();
    await Promise.all([sink?.stop(), database?.drop()]);
  });

  const contactRow = (id: string) =>
    db.contact.findUniqueOrThrow({ where: { id }, select: { status: true, email: true, firstName: true, lastName: true, phone: true } });
  const itemsOf = async (runId: string) =>
    Object.fromEntries(
      (await db.retentionRunItem.findMany({ where: { runId }, select: { contactId: true, outcome: true, reason: true } })).map((i) => [
        i.contactId,
        { outcome: i.outcome, reason: i.reason },
      ]),
    );

  it('creates the daily schedule once, running the retention workflow', async () => {
    const scheduleId = `retention-test-${randomUUID()}`;
    const options = { address: need('TEMPORAL_ADDRESS'), namespace, taskQueue, payloadKeys, scheduleId };
    try {
      expect(await ensureRetentionSchedule(options)).toBe('created');
      expect(await ensureRetentionSchedule(options)).toBe('exists');
      const described = await client.schedule.getHandle(scheduleId).describe();
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow', taskQueue });
      expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 2, end: 2, step: 1 }] });
      expect(described.policies.overlap).toBe('SKIP');
    } finally {
      await client.schedule.getHandle(scheduleId).delete();
    }
  });

  it('an approved run deletes exactly the due contacts, anonymizes per policy, restricts under a hold; a rejection does nothing', async () => {
    const now = new Date();
    // Newsletter: delete 24 months after the last interaction, with approval.
    const newsletter = await retentionPolicy(db, {
      name: 'Newsletter 24 months',
      purposeId: 'newsletter',
      period: 'P24M',
      anchor: 'last_interaction',
      action: 'delete',
      reminderLeadDays: 30,
      requiresApproval: true,
    });
    // Sales follow-up: anonymize 36 months after the contract ended, without approval.
    const sales = await retentionPolicy(db, {
      name: 'Sales 36 months',
      purposeId: 'sales_follow_up',
      period: 'P36M',
      anchor: 'contract_end',
      action: 'anonymize',
      reminderLeadDays: 30,
      requiresApproval: false,
    });
    // Product updates: delete 12 months after creation, with approval (this run will be rejected).
    const updates = await retentionPolicy(db, {
      name: 'Updates 12 months',
      purposeId: 'product_updates',
      period: 'P12M',
      anchor: 'created',
      action: 'delete',
      reminderLeadDays: 30,
      requiresApproval: true,
    });

    const old = monthsAgo(now, 30);
    const lapsed = await retentionContact(db, 'lapsed', { createdAt: old, consents: [{ purposeId: 'newsletter', at: old }] });
    const recent = await retentionContact(db, 'recent', { createdAt: old, consents: [{ purposeId: 'newsletter', at: old }] });
    await db.interaction.create({ data: { contactId: recent, kind: 'opened', occurredAt: monthsAgo(now, 2) } });
    const litigated = await retentionContact(db, 'litigated', { createdAt: old, consents: [{ purposeId: 'newsletter', at: old }] });
    const hold = await db.legalHold.create({
      data: {
        kind: 'litigation',
        scopeKind: 'contact',
        contactId: litigated,
        reason: 'LG Berlin 15 O 123/26',
        startsOn: monthsAgo(now, 1),
      },
      select: { id: true },
    });
    const formerCustomer = await retentionContact(db, 'former', {
      createdAt: monthsAgo(now, 60),
      events: [{ name: 'contract_ended', at: monthsAgo(now, 40) }],
    });
    await db.interaction.create({ data: { contactId: formerCustomer, kind: 'bought', occurredAt: monthsAgo(now, 45) } });
    const returning = await retentionContact(db, 'returning', {
      createdAt: monthsAgo(now, 60),
      events: [
        { name: 'contract_ended', at: monthsAgo(now, 40) },
        { name: 'contract_started', at: monthsAgo(now, 10) },
      ],
    });
    const updatesOnly = await retentionContact(db, 'updates', {
      createdAt: monthsAgo(now, 20),
      consents: [{ purposeId: 'product_updates', at: monthsAgo(now, 20) }],
    });

    const daily = await client.workflow.execute<typeof retentionWorkflow>('retentionWorkflow', {
      taskQueue,
      workflowId: `retention-daily-${taskQueue}`,
      args: [{ version: 1, batchSize: 2 }],
    });
    expect(daily.runsStarted).toHaveLength(3);
    const runOf = async (policyId: string) => db.retentionRun.findFirstOrThrow({ where: { policyId }, select: { id: true, status: true } });
    const [newsletterRun, salesRun, updatesRun] = [await runOf(newsletter), await runOf(sales), await runOf(updates)];
    expect(newsletterRun.status).toBe('pending_approval');
    expect(updatesRun.status).toBe('pending_approval');
    // Exactly the contacts past their deadline, in pages of two.
    expect(Object.keys(await itemsOf(newsletterRun.id)).sort()).toEqual([lapsed, litigated].sort());
    expect(Object.keys(await itemsOf(salesRun.id))).toEqual([formerCustomer]);
    expect(Object.keys(await itemsOf(updatesRun.id))).toEqual([updatesOnly]);
    // The DPO's inbox holds both approvals (once each), linked to the run's page.
    // (Each run's own workflow puts it there as it opens, just after the daily workflow started it.)
    const approvals = () => db.dpoNotice.findMany({ where: { kind: 'retention_approval' }, select: { subjectId: true } });
    await expect
      .poll(async () => (await approvals()).map((n) => n.subjectId).sort(), { timeout: 20_000 })
      .toEqual([newsletterRun.id, updatesRun.id].sort());

    // The sales policy needs no approval: its run anonymizes at once.
    const salesResult = await client.workflow.getHandle<typeof retentionRunWorkflow>(retentionRunWorkflowId(salesRun.id)).result();
    expect(salesResult).toEqual({ outcome: 'done', deleted: 0, anonymized: 1, restricted_by_hold: 0, skipped: 0 });
    expect(await contactRow(formerCustomer)).toMatchObject({ status: 'erased', firstName: null, lastName: null, phone: null });
    expect((await contactRow(formerCustomer)).email).not.toContain('former');
    // Anonymized: the statistics stay linked to the tombstone.
    expect(await db.interaction.count({ where: { contactId: formerCustomer, kind: 'bought' } })).toBe(1);
    expect(await contactRow(returning)).toMatchObject({ status: 'active', firstName: 'Rosalind-returning' });

    // The DPO approves the newsletter run: the API writes the decision, then signals.
    const newsletterHandle = client.workflow.getHandle<typeof retentionRunWorkflow>(retentionRunWorkflowId(newsletterRun.id));
    await decideRunInDb(db, newsletterRun.id, 'approved', dpoId);
    await newsletterHandle.signal(retentionRunDecisionSignal);
    expect(await newsletterHandle.result()).toEqual({ outcome: 'done', deleted: 1, anonymized: 0, restricted_by_hold: 1, skipped: 0 });
    expect(await itemsOf(newsletterRun.id)).toEqual({
      [lapsed]: { outcome: 'deleted', reason: null },
      [litigated]: { outcome: 'restricted_by_hold', reason: 'legal_hold' },
    });
    expect(await contactRow(lapsed)).toMatchObject({ status: 'erased', firstName: null });
    // Deleted, not anonymized: nothing of the person's ledger remains.
    expect(await db.consentEvent.count({ where: { contactId: lapsed } })).toBe(0);
    // The hold wins: restricted, data kept.
    expect(await contactRow(litigated)).toMatchObject({ status: 'restricted', firstName: 'Rosalind-litigated', phone: '+49 30 1234567' });
    expect(await db.consentEvent.count({ where: { contactId: litigated } })).toBe(1);
    expect((await db.retentionRunItem.findFirstOrThrow({ where: { contactId: litigated } })).holdId).toBe(hold.id);
    expect(await contactRow(recent)).toMatchObject({ status: 'active', firstName: 'Rosalind-recent' });

    // The updates run is rejected: the workflow ends and nothing changes.
    const updatesHandle = client.workflow.getHandle<typeof retentionRunWorkflow>(retentionRunWorkflowId(updatesRun.id));
    await decideRunInDb(db, updatesRun.id, 'rejected', dpoId);
    await updatesHandle.signal(retentionRunDecisionSignal);
    expect(await updatesHandle.result()).toEqual({ outcome: 'rejected' });
    expect(await contactRow(updatesOnly)).toMatchObject({ status: 'active', firstName: 'Rosalind-updates' });
    expect(await itemsOf(updatesRun.id)).toEqual({ [updatesOnly]: { outcome: null, reason: null } });

    // The audit log: per policy run and per contact, IDs only.
    const audits = await db.auditEvent.findMany({
      where: { actor: 'system:retention' },
      select: { action: true, entityId: true, details: true },
    });
    expect(audits.filter((a) => a.action === 'retention.contact.deleted').map((a) => a.entityId)).toEqual([lapsed]);
    expect(audits.filter((a) => a.action === 'retention.contact.anonymized').map((a) => a.entityId)).toEqual([formerCustomer]);
    expect(audits.filter((a) => a.action === 'retention.contact.restricted_by_hold').map((a) => a.entityId)).toEqual([litigated]);
    expect(
      audits
        .filter((a) => a.action === 'retention.run.done')
        .map((a) => a.entityId)
        .sort(),
    ).toEqual([newsletterRun.id, salesRun.id].sort());
    expect(JSON.stringify(audits)).not.toMatch(/Rosalind|people\.example|Quendt/);
    // The histories carry IDs only.
    const history = JSON.stringify(await newsletterHandle.fetchHistory());
    expect(history).not.toMatch(/Rosalind|people\.example|Quendt/);

    // The next day nobody is proposed again: the deleted are gone, the held stay held, the rejected wait for a new deadline.
    const nextDay = await client.workflow.execute<typeof retentionWorkflow>('retentionWorkflow', {
      taskQueue,
      workflowId: `retention-daily-2-${taskQueue}`,
      args: [{ version: 1 }],
    });
    expect(nextDay.runsStarted).toEqual([]);
  }, 240_000);
});
