import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDataConverter, EncryptionCodec } from '@zweck/temporal-codec';
import type { consentReceiptWorkflow } from '@zweck/workflows';
import { consentReceiptWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTestEnv } from './test/env.ts';
import { startWorkflowStack, type WorkflowStack } from './test/stack.ts';

describe('consent receipt workflow against real Temporal, PostgreSQL and SMTP', () => {
  let env: TestWorkflowEnvironment;
  let stack: WorkflowStack;
  let client: Client;

  beforeAll(async () => {
    env = await createLocalTestEnv();
    stack = await startWorkflowStack(env, 'receipt');
    client = new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      dataConverter: createDataConverter(stack.payloadKeys),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await env?.teardown();
  });

  async function contactWithConsent(email: string): Promise<{ contactId: string; eventId: string }> {
    const contactId = randomUUID();
    await stack.db.contact.create({ data: { id: contactId, email, emailNormalized: email, firstName: 'Quirinus' } });
    const { id: eventId } = await stack.db.consentEvent.create({
      data: {
        contactId,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'granted',
        occurredAt: new Date('2026-11-01T10:00:00Z'),
        method: 'in_person',
        source: 'test',
        actor: 'contact',
      },
      select: { id: true },
    });
    return { contactId, eventId };
  }
  const run = (contactId: string, eventId: string) =>
    client.workflow.execute<typeof consentReceiptWorkflow>('consentReceiptWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: consentReceiptWorkflowId(contactId, [eventId]),
      args: [{ version: 1, contactId, consentEventIds: [eventId], requestedBy: 'contact' }],
    });

  it('sends one transactional mail under data_subject_rights, and keeps the address out of the history', async () => {
    const email = 'receipt-wf@example.org';
    const { contactId, eventId } = await contactWithConsent(email);
    const result = await run(contactId, eventId);
    expect(result.outcome).toBe('sent');
    const received = stack.sink.list().filter((m) => m.to === email);
    expect(received).toHaveLength(1);
    const full = stack.sink.get(received[0]!.id)!;
    expect(full.headers.some((h) => h.name.toLowerCase() === 'list-unsubscribe')).toBe(false);
    expect(full.text).toContain('Hello Quirinus,');

    const history = await client.workflow.getHandle(consentReceiptWorkflowId(contactId, [eventId])).fetchHistory();
    const stored = (history.events ?? [])
      .flatMap((e) => [
        e.workflowExecutionStartedEventAttributes?.input,
        e.activityTaskScheduledEventAttributes?.input,
        e.activityTaskCompletedEventAttributes?.result,
      ])
      .flatMap((p) => p?.payloads ?? []);
    const payloads = (await new EncryptionCodec(stack.payloadKeys).decode(stored)).map((p) =>
      Buffer.from(p.data ?? new Uint8Array()).toString('latin1'),
    );
    expect(payloads.join('\n')).toContain(eventId);
    expect(payloads.join('\n')).not.toContain(email);
    expect(payloads.join('\n')).not.toContain('Quirinus');
  });

  it("never mails one person another person's record: a foreign ledger entry sends nothing", async () => {
    const { contactId } = await contactWithConsent('receipt-asker@example.org');
    const { eventId: foreign } = await contactWithConsent('receipt-other@example.org');
    expect(await run(contactId, foreign)).toEqual({ outcome: 'skipped', reasonCodes: ['NOTHING_TO_SEND'], decidedBy: 'activity' });
    expect(stack.sink.list().filter((m) => m.to === 'receipt-asker@example.org' || m.to === 'receipt-other@example.org')).toHaveLength(0);
    expect(await stack.db.message.count({ where: { contactId } })).toBe(0);
  });
});
