import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import type { welcomeWorkflow } from '@zweck/workflows';
import { welcomeWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeSkippingTestEnv } from './test/env.ts';
import { startWorkflowStack, type WorkflowStack } from './test/stack.ts';

const payloadKeys = ZPayloadKeys.parse(`test:${randomBytes(32).toString('base64')}`);

describe('double opt-in deadline (time-skipping server, real PostgreSQL and SMTP)', () => {
  let env: TestWorkflowEnvironment;
  let stack: WorkflowStack;

  beforeAll(async () => {
    // Time skips while a result is awaited through env.client: it must encrypt like the worker.
    env = await createTimeSkippingTestEnv({ dataConverter: createDataConverter(payloadKeys) });
    stack = await startWorkflowStack(env, 'doi', payloadKeys);
  });

  afterAll(async () => {
    await stack?.stop();
    await env?.teardown();
  });

  it('lets an unconfirmed consent expire after the purpose deadline, and sends nothing but the request', async () => {
    const email = 'never-confirms@example.org';
    const contactId = randomUUID();
    await stack.db.contact.create({ data: { id: contactId, email, emailNormalized: email } });
    await stack.db.consentEvent.create({
      data: {
        contactId,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'granted',
        occurredAt: new Date(),
        method: 'web_form',
        source: 'test',
        actor: 'contact',
      },
    });

    const began = Date.now();
    const result = await env.client.workflow.execute<typeof welcomeWorkflow>('welcomeWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: welcomeWorkflowId(contactId, 'newsletter'),
      args: [{ version: 1, contactId, purposeId: 'newsletter', channel: 'email' }],
    });

    expect(result).toEqual({ outcome: 'confirmation_expired' });
    expect(Date.now() - began).toBeLessThan(60_000); // 72 hours of workflow time
    const ledger = await stack.db.consentEvent.findMany({
      where: { contactId },
      orderBy: { recordedAt: 'asc' },
      select: { kind: true, actor: true },
    });
    expect(ledger).toEqual([
      { kind: 'granted', actor: 'contact' },
      { kind: 'expired', actor: 'system:double-opt-in' },
    ]);
    expect(
      stack.sink
        .list()
        .filter((m) => m.to === email)
        .map((m) => m.subject),
    ).toEqual(['Please confirm: Newsletter']);
  });
});
