import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { addRetentionPeriod } from '@zweck/policy';
import { createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import type { retentionWorkflow } from '@zweck/workflows';
import { retentionRunWorkflowId } from '@zweck/workflows/contracts';
import { addDays, subMonths } from 'date-fns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeSkippingTestEnv } from './test/env.ts';
import { retentionContact, retentionPolicy } from './test/retention-fixtures.ts';
import { startWorkflowStack, type WorkflowStack } from './test/stack.ts';

const payloadKeys = ZPayloadKeys.parse(`test:${randomBytes(32).toString('base64')}`);
const DAY_MS = 86_400_000;

describe('retention reminders as days pass (time-skipping server, real PostgreSQL and SMTP)', () => {
  let env: TestWorkflowEnvironment;
  let stack: WorkflowStack;

  beforeAll(async () => {
    env = await createTimeSkippingTestEnv({ dataConverter: createDataConverter(payloadKeys) });
    stack = await startWorkflowStack(env, 'retention-days', payloadKeys);
    await stack.db.user.create({ data: { email: 'dpo@office.example', displayName: 'The DPO', role: 'dpo', passwordHash: 'not-used' } });
  });

  afterAll(async () => {
    await stack?.stop();
    await env?.teardown();
  });

  let day = 0;
  /**
   * One daily run of the schedule's workflow, at the test server's time. Through a plain client:
   * `env.client` would let time skip while it awaits the result, and the run it starts waits
   * (without a timer) for the DPO, so time would race ahead; here days pass only by `env.sleep`.
   */
  const dailyRun = () =>
    new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      dataConverter: createDataConverter(payloadKeys),
    }).workflow.execute<typeof retentionWorkflow>('retentionWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: `retention-daily-${day++}`,
      args: [{ version: 1 }],
    });
  const dpoMails = (policyId: string) =>
    stack.sink
      .list()
      .filter((m) => m.to === 'dpo@office.example')
      .map((m) => stack.sink.get(m.id)!)
      .filter((m) => m.text?.includes(`/privacy/retention/${policyId}`))
      .map((m) => m.subject);

  it('reminds the DPO the configured number of days before the deadline, once, then proposes a run at the deadline', async () => {
    const start = await env.currentTimeMs();
    // The person's last interaction: so that the 24 months end ten days from now.
    const deadline = addDays(new Date(start), 10);
    const lastInteraction = subMonths(deadline, 24);
    expect(addRetentionPeriod(lastInteraction.toISOString(), 'P24M')).toBe(deadline.toISOString());
    const contactId = await retentionContact(stack.db, 'ahead', {
      createdAt: subMonths(lastInteraction, 1),
      consents: [{ purposeId: 'newsletter', at: lastInteraction }],
    });
    const policyId = await retentionPolicy(stack.db, {
      name: 'Newsletter 24 months',
      purposeId: 'newsletter',
      period: 'P24M',
      anchor: 'last_interaction',
      action: 'delete',
      reminderLeadDays: 7,
      requiresApproval: true,
    });
    const notices = () => stack.db.dpoNotice.findMany({ where: { subjectId: policyId }, select: { kind: true, dueAt: true } });

    // Days 0 to 2: more than seven days before the deadline, nothing.
    for (let d = 0; d <= 2; d++) {
      if (d > 0) await env.sleep(DAY_MS);
      expect(await dailyRun()).toMatchObject({ reminded: 0, runsStarted: [] });
    }
    expect(await notices()).toEqual([]);
    expect(dpoMails(policyId)).toEqual([]);

    // Day 3: seven days before the deadline, the reminder (inbox and mail, a link only).
    await env.sleep(DAY_MS);
    expect(await dailyRun()).toMatchObject({ reminded: 1, noticesCreated: 1, runsStarted: [] });
    expect(await notices()).toEqual([{ kind: 'retention_due', dueAt: deadline }]);
    await expect.poll(() => dpoMails(policyId), { timeout: 20_000 }).toEqual(['A retention deadline is coming up']);
    const mail = stack.sink.list().find((m) => m.to === 'dpo@office.example');
    expect(JSON.stringify(stack.sink.get(mail!.id))).not.toMatch(/Rosalind|people\.example/);

    // Day 4: still within the lead time, but the DPO was told already.
    await env.sleep(DAY_MS);
    expect(await dailyRun()).toMatchObject({ reminded: 1, noticesCreated: 0 });
    expect(await notices()).toHaveLength(1);

    // Day 10: the deadline passed; a run waits for the DPO's approval, nothing is deleted yet.
    await env.sleep(6 * DAY_MS);
    const result = await dailyRun();
    expect(result.runsStarted).toHaveLength(1);
    const runId = result.runsStarted[0]!;
    await expect
      .poll(() => stack.db.dpoNotice.count({ where: { kind: 'retention_approval', subjectId: runId } }), { timeout: 20_000 })
      .toBe(1);
    const run = await stack.db.retentionRun.findUniqueOrThrow({ where: { id: runId }, select: { status: true, contactsTotal: true } });
    expect(run).toEqual({ status: 'pending_approval', contactsTotal: 1 });
    expect(await stack.db.contact.findUniqueOrThrow({ where: { id: contactId }, select: { status: true } })).toEqual({ status: 'active' });
    // It waits however long the DPO takes.
    await env.sleep(30 * DAY_MS);
    const handle = env.client.workflow.getHandle(retentionRunWorkflowId(runId));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toMatch(/Rosalind|people\.example/);
    await handle.terminate('test done');
  }, 180_000);
});
