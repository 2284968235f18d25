import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDataConverter, EncryptionCodec, ZPayloadKeys } from '@zweck/temporal-codec';
import type { handoffWorkflow } from '@zweck/workflows';
import { handoffWorkflowId, leadAnswerSignal, SALES_FOLLOW_UP_PURPOSE_ID } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeSkippingTestEnv } from './test/env.ts';
import { startWorkflowStack, type WorkflowStack } from './test/stack.ts';

const payloadKeys = ZPayloadKeys.parse(`test:${randomBytes(32).toString('base64')}`);
const HOUR_MS = 3_600_000;

describe('lead handoff: due time, escalation to the manager, accept and recycle (time-skipping server, real PostgreSQL and SMTP)', () => {
  let env: TestWorkflowEnvironment;
  let stack: WorkflowStack;
  const users = { manager: '', rep: '', admin: '' };

  beforeAll(async () => {
    env = await createTimeSkippingTestEnv({ dataConverter: createDataConverter(payloadKeys) });
    stack = await startWorkflowStack(env, 'handoff', payloadKeys);
    for (const role of ['manager', 'rep', 'admin'] as const) {
      const user = await stack.db.user.create({
        data: {
          email: `${role}@sales.example`,
          displayName: `The ${role}`,
          role: role === 'admin' ? 'admin' : 'sales',
          passwordHash: 'not-used',
        },
        select: { id: true },
      });
      users[role] = user.id;
    }
    await stack.db.salesRep.create({ data: { userId: users.rep, managerId: users.manager } });
    await stack.db.leadSettings.update({ where: { id: 1 }, data: { dueHours: 24 } });
  });

  afterAll(async () => {
    await stack?.stop();
    await env?.teardown();
  });

  async function contact(nick: string): Promise<string> {
    const id = randomUUID();
    const email = `${nick}@prospect.example`;
    await stack.db.contact.create({ data: { id, email, emailNormalized: email, firstName: 'Canary', lastName: nick } });
    return id;
  }

  const start = (contactId: string) =>
    env.client.workflow.start<typeof handoffWorkflow>('handoffWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: handoffWorkflowId(contactId),
      args: [
        {
          version: 1,
          contactId,
          purposeId: SALES_FOLLOW_UP_PURPOSE_ID,
          channel: 'email',
          trigger: { kind: 'manual', userId: users.admin },
        },
      ],
    });

  /** The lead row, once the workflow's activity has written it. */
  async function leadOf(contactId: string) {
    for (let i = 0; i < 300; i++) {
      const lead = await stack.db.lead.findFirst({
        where: { contactId },
        select: { id: true, ownerId: true, dueAt: true, createdAt: true },
      });
      if (lead) return lead;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the handoff wrote no lead');
  }

  const mailsTo = (email: string) => stack.sink.list().filter((m) => m.to === email);

  it('escalates a lead not answered by its due time to the manager, keeps waiting, and ends when the rep accepts', async () => {
    const contactId = await contact('overdue');
    const handle = await start(contactId);
    const lead = await leadOf(contactId);
    expect(lead.ownerId).toBe(users.rep);
    expect(lead.dueAt.getTime() - lead.createdAt.getTime()).toBe(24 * HOUR_MS);
    // The rep is told, with a link to the lead page and nothing about the person.
    await expect.poll(() => mailsTo('rep@sales.example').length, { timeout: 20_000 }).toBe(1);
    const repMail = stack.sink.get(mailsTo('rep@sales.example')[0]!.id);
    expect(repMail?.text).toContain(`https://zweck.test/leads/${lead.id}`);
    expect(`${repMail?.subject} ${repMail?.text} ${repMail?.html}`).not.toMatch(/Canary|prospect\.example|overdue@/);

    const began = Date.now();
    await env.sleep(25 * HOUR_MS);
    await expect
      .poll(async () => (await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id }, select: { escalatedAt: true } })).escalatedAt, {
        timeout: 20_000,
      })
      .not.toBeNull();
    await expect
      .poll(() => mailsTo('manager@sales.example').map((m) => m.subject), { timeout: 20_000 })
      .toEqual(['A lead of your team is overdue']);
    expect(Date.now() - began).toBeLessThan(60_000); // 25 hours of workflow time
    expect(await stack.db.auditEvent.count({ where: { action: 'lead.escalated', entityId: lead.id } })).toBe(1);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    await handle.signal(leadAnswerSignal, { action: 'accept', leadId: lead.id, userId: users.rep });
    expect(await handle.result()).toEqual({ outcome: 'accepted', leadId: lead.id, ownerId: users.rep });
    const settled = await stack.db.lead.findUniqueOrThrow({
      where: { id: lead.id },
      select: { status: true, acceptedAt: true, settledBy: true },
    });
    expect(settled).toMatchObject({ status: 'accepted', settledBy: users.rep });
    expect((await stack.db.contact.findUniqueOrThrow({ where: { id: contactId } })).lifecycleStage).toBe('sales_qualified');
    // One escalation only, however long it waited afterwards.
    expect(mailsTo('manager@sales.example')).toHaveLength(1);
    // The history holds ciphertext at rest; decrypted, IDs and states, never the person's address or name.
    const history = await handle.fetchHistory();
    const stored = (history.events ?? [])
      .flatMap((e) => [
        e.workflowExecutionStartedEventAttributes?.input,
        e.activityTaskScheduledEventAttributes?.input,
        e.activityTaskCompletedEventAttributes?.result,
        e.workflowExecutionSignaledEventAttributes?.input,
        e.workflowExecutionCompletedEventAttributes?.result,
      ])
      .flatMap((p) => p?.payloads ?? []);
    const text = (p: { data?: Uint8Array | null }) => Buffer.from(p.data ?? new Uint8Array()).toString('latin1');
    expect(stored.length).toBeGreaterThan(6);
    expect(stored.map(text).join('\n')).not.toContain(contactId);
    const decrypted = (await new EncryptionCodec(payloadKeys).decode(stored)).map(text).join('\n');
    expect(decrypted).toContain(contactId);
    expect(decrypted).not.toMatch(/Canary|prospect\.example|sales\.example/);
  });

  it('does not escalate a lead accepted before its due time', async () => {
    const contactId = await contact('prompt');
    const handle = await start(contactId);
    const lead = await leadOf(contactId);
    const managerMails = mailsTo('manager@sales.example').length;
    await handle.signal(leadAnswerSignal, { action: 'accept', leadId: lead.id, userId: users.rep });
    expect((await handle.result()).outcome).toBe('accepted');
    await env.sleep(48 * HOUR_MS);
    expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).escalatedAt).toBeNull();
    expect(mailsTo('manager@sales.example')).toHaveLength(managerMails);
  });

  it('recycles with a reason: the contact goes back to nurturing with a lead.recycled event', async () => {
    const contactId = await contact('recycled');
    const handle = await start(contactId);
    const lead = await leadOf(contactId);
    await handle.signal(leadAnswerSignal, { action: 'recycle', leadId: lead.id, userId: users.rep, reason: 'not_ready' });
    expect(await handle.result()).toEqual({ outcome: 'recycled', leadId: lead.id, ownerId: users.rep });
    expect(await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id }, select: { status: true, recycleReason: true } })).toEqual({
      status: 'recycled',
      recycleReason: 'not_ready',
    });
    const person = await stack.db.contact.findUniqueOrThrow({ where: { id: contactId }, select: { lifecycleStage: true, ownerId: true } });
    expect(person).toEqual({ lifecycleStage: 'lead', ownerId: null });
    const events = await stack.db.contactEvent.findMany({ where: { contactId }, select: { name: true, details: true } });
    expect(events).toEqual([{ name: 'lead.recycled', details: { leadId: lead.id, reason: 'not_ready' } }]);
  });

  it('refuses the handoff of a contact who objected to direct marketing, recorded, and writes no lead', async () => {
    const contactId = await contact('objected');
    await stack.db.consentEvent.create({
      data: {
        contactId,
        purposeId: SALES_FOLLOW_UP_PURPOSE_ID,
        channel: 'email',
        kind: 'objected',
        occurredAt: new Date(Date.now() - HOUR_MS),
        method: 'preference_center',
        source: 'test',
        actor: 'contact',
      },
    });
    const result = await (await start(contactId)).result();
    expect(result).toEqual({ outcome: 'refused', reasonCodes: ['OBJECTED_TO_DIRECT_MARKETING'] });
    expect(await stack.db.lead.count({ where: { contactId } })).toBe(0);
    const decisions = await stack.db.policyDecision.findMany({
      where: { contactId, action: 'hand_off' },
      select: { allowed: true, reasonCodes: true },
    });
    expect(decisions).toEqual([{ allowed: false, reasonCodes: ['OBJECTED_TO_DIRECT_MARKETING'] }]);
  });

  it('without an active rep: no owner, and the admins are told', async () => {
    await stack.db.salesRep.update({ where: { userId: users.rep }, data: { isActive: false } });
    try {
      const contactId = await contact('orphan');
      const result = await (await start(contactId)).result();
      expect(result).toEqual({ outcome: 'no_owner' });
      expect(await stack.db.lead.count({ where: { contactId } })).toBe(0);
      await expect
        .poll(() => mailsTo('admin@sales.example').map((m) => m.subject), { timeout: 20_000 })
        .toContain('A lead found no sales rep');
    } finally {
      await stack.db.salesRep.update({ where: { userId: users.rep }, data: { isActive: true } });
    }
  });
});
