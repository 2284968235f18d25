import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { requesterHash, sealRequester } from '@zweck/db';
import { createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import type { dataSubjectRequestWorkflow } from '@zweck/workflows';
import { dsrUpdatedSignal, dsrWorkflowId, type DsrWorkflowOutcome } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeSkippingTestEnv } from './test/env.ts';
import { startWorkflowStack, type WorkflowStack } from './test/stack.ts';

const payloadKeys = ZPayloadKeys.parse(`test:${randomBytes(32).toString('base64')}`);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe('data-subject request workflow: reminders before the due date, the extension, overdue, verification lapse (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let stack: WorkflowStack;

  beforeAll(async () => {
    env = await createTimeSkippingTestEnv({ dataConverter: createDataConverter(payloadKeys) });
    stack = await startWorkflowStack(env, 'dsr', payloadKeys);
    await stack.db.user.create({ data: { email: 'dpo@office.example', displayName: 'The DPO', role: 'dpo', passwordHash: 'not-used' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await env?.teardown();
  });

  const noticesOf = async (requestId: string) =>
    (
      await stack.db.dpoNotice.findMany({
        where: { subjectType: 'data_subject_request', subjectId: requestId },
        orderBy: { createdAt: 'asc' },
        select: { kind: true, dedupeKey: true, dueAt: true, escalated: true },
      })
    ).map((n) => ({
      kind: n.kind,
      dueAt: n.dueAt?.toISOString() ?? null,
      escalated: n.escalated,
      days: /:(\d+)d$/.exec(n.dedupeKey)?.[1] ?? null,
    }));
  /** Let the workflow task and its activities settle before asserting an absence. */
  const settle = () => new Promise((r) => setTimeout(r, 1_500));

  it('reminds 7 and 1 days before the due date, re-plans after an extension, says "overdue" (escalated) after it, and closes', async () => {
    const start = await env.currentTimeMs();
    const due = start + 30 * DAY_MS;
    const id = randomUUID();
    await stack.db.dataSubjectRequest.create({
      data: {
        id,
        type: 'access',
        intake: 'staff',
        receivedAt: new Date(start),
        dueAt: new Date(due),
        status: 'open',
        identityCheck: { method: 'in_person', verifiedAt: new Date(start).toISOString(), verifiedBy: 'user:test' },
        createdBy: 'user:test',
      },
    });
    const handle = await env.client.workflow.start<typeof dataSubjectRequestWorkflow>('dataSubjectRequestWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: dsrWorkflowId(id),
      args: [{ version: 1, requestId: id, reminderDays: [7, 1] }],
    });
    const dueIso = new Date(due).toISOString();
    await expect
      .poll(() => noticesOf(id), { timeout: 20_000 })
      .toEqual([{ kind: 'dsr_received', dueAt: dueIso, escalated: false, days: null }]);

    // Nothing before the seventh day ahead of the due date; the reminder right after it.
    await env.sleep(due - 7 * DAY_MS - start - 2 * HOUR_MS);
    await settle();
    expect(await noticesOf(id)).toHaveLength(1);
    await env.sleep(4 * HOUR_MS);
    await expect
      .poll(async () => (await noticesOf(id)).at(-1), { timeout: 20_000 })
      .toEqual({ kind: 'dsr_due', dueAt: dueIso, escalated: false, days: '7' });
    // The DPO's mail links to the request's page, and nothing else names it.
    await expect
      .poll(
        () =>
          stack.sink.list().filter((m) => m.to === 'dpo@office.example' && stack.sink.get(m.id)?.text?.includes(`/privacy/requests/${id}`))
            .length,
        {
          timeout: 20_000,
        },
      )
      .toBeGreaterThanOrEqual(2);

    // The DPO extends the period by 20 days (the API writes the row, then signals).
    const extended = due + 20 * DAY_MS;
    await stack.db.dataSubjectRequest.update({
      where: { id },
      data: { extendedDueAt: new Date(extended), extensionReason: 'Archives to search' },
    });
    await handle.signal(dsrUpdatedSignal);
    // The old due date passes without an "overdue" or a "1 day before" of the old date.
    await env.sleep(due + DAY_MS - (await env.currentTimeMs()));
    await settle();
    // Nobody to mail (taken by staff, no contact): the DPO is asked to tell the person another way.
    expect((await noticesOf(id)).map((n) => n.kind)).toEqual(['dsr_received', 'dsr_due', 'dsr_extension_untold']);
    expect(await stack.db.dsrEvent.count({ where: { requestId: id, kind: 'extension_notice_no_address' } })).toBe(1);

    // The reminders of the new date, then overdue at it, escalated to the administrators.
    const extendedIso = new Date(extended).toISOString();
    await env.sleep(extended - 7 * DAY_MS + HOUR_MS - (await env.currentTimeMs()));
    await expect
      .poll(async () => (await noticesOf(id)).at(-1), { timeout: 20_000 })
      .toEqual({ kind: 'dsr_due', dueAt: extendedIso, escalated: false, days: '7' });
    await env.sleep(extended - DAY_MS + HOUR_MS - (await env.currentTimeMs()));
    await expect
      .poll(async () => (await noticesOf(id)).at(-1), { timeout: 20_000 })
      .toEqual({ kind: 'dsr_due', dueAt: extendedIso, escalated: false, days: '1' });
    await env.sleep(extended + HOUR_MS - (await env.currentTimeMs()));
    await expect
      .poll(async () => (await noticesOf(id)).at(-1), { timeout: 20_000 })
      .toEqual({ kind: 'dsr_overdue', dueAt: extendedIso, escalated: true, days: null });
    // Nothing more however long it stays open.
    await env.sleep(30 * DAY_MS);
    await settle();
    expect(await noticesOf(id)).toHaveLength(6);

    await stack.db.dataSubjectRequest.update({ where: { id }, data: { status: 'completed', closedAt: new Date() } });
    await handle.signal(dsrUpdatedSignal);
    const outcome: DsrWorkflowOutcome = await handle.result();
    expect(outcome).toEqual({ outcome: 'closed', status: 'completed', reminders: 4 });
  });

  it('tells the person of an extension, its new date and reason, once per extended date (Art. 12(3))', async () => {
    const start = await env.currentTimeMs();
    const id = randomUUID();
    const email = 'extended@example.org';
    await stack.db.dataSubjectRequest.create({
      data: {
        id,
        type: 'access',
        intake: 'web_form',
        receivedAt: new Date(start),
        dueAt: new Date(start + 30 * DAY_MS),
        status: 'open',
        requesterHash: requesterHash(stack.config.suppressionKey, email),
        requesterSealed: sealRequester(stack.config.suppressionKey, email),
        createdBy: 'requester:web_form',
      },
    });
    const handle = await env.client.workflow.start<typeof dataSubjectRequestWorkflow>('dataSubjectRequestWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: dsrWorkflowId(id),
      args: [{ version: 1, requestId: id, reminderDays: [7] }],
    });
    await expect.poll(() => noticesOf(id), { timeout: 20_000 }).toHaveLength(1);
    expect(stack.sink.list().filter((m) => m.to === email)).toHaveLength(0);

    const extendTo = async (days: number, reason: string) => {
      await stack.db.dataSubjectRequest.update({
        where: { id },
        data: { extendedDueAt: new Date(start + days * DAY_MS), extensionReason: reason },
      });
      await handle.signal(dsrUpdatedSignal);
    };
    await extendTo(60, 'Three archives in two countries must be searched.');
    await expect.poll(() => stack.sink.list().filter((m) => m.to === email).length, { timeout: 20_000 }).toBe(1);
    const [mail] = stack.sink.list().filter((m) => m.to === email);
    expect(mail!.subject).toBe(`Your privacy request DSR-${id.slice(0, 8).toUpperCase()} takes longer`);
    const text = stack.sink.get(mail!.id)?.text ?? '';
    expect(text).toContain('Three archives in two countries must be searched.');
    expect(text).toContain(new Date(start + 60 * DAY_MS).toUTCString().slice(0, 16));

    // Another signal without a new date tells nothing again; a second extension is told again.
    await handle.signal(dsrUpdatedSignal);
    await settle();
    expect(stack.sink.list().filter((m) => m.to === email)).toHaveLength(1);
    await extendTo(80, 'The archive of the second country answered late.');
    await expect.poll(() => stack.sink.list().filter((m) => m.to === email).length, { timeout: 20_000 }).toBe(2);
    expect(await stack.db.dsrEvent.count({ where: { requestId: id, kind: 'extension_notice_sent' } })).toBe(2);
    // The history holds the request's ID, never the address or the reason's text.
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain(email);
    expect(history).not.toContain('archives');

    await stack.db.dataSubjectRequest.update({ where: { id }, data: { status: 'completed', closedAt: new Date() } });
    await handle.signal(dsrUpdatedSignal);
    await expect(handle.result()).resolves.toMatchObject({ outcome: 'closed', status: 'completed' });
  });

  it('mails the verification link of a web form request and rejects it when nobody confirms within 72 hours', async () => {
    const start = await env.currentTimeMs();
    const id = randomUUID();
    const email = 'requester@example.org';
    await stack.db.dataSubjectRequest.create({
      data: {
        id,
        type: 'erasure',
        intake: 'web_form',
        receivedAt: new Date(start),
        dueAt: new Date(start + 30 * DAY_MS),
        status: 'awaiting_verification',
        requesterHash: requesterHash(stack.config.suppressionKey, email),
        requesterSealed: sealRequester(stack.config.suppressionKey, email),
        createdBy: 'requester:web_form',
      },
    });
    const handle = await env.client.workflow.start<typeof dataSubjectRequestWorkflow>('dataSubjectRequestWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: dsrWorkflowId(id),
      args: [{ version: 1, requestId: id }],
    });
    await expect.poll(() => stack.sink.list().filter((m) => m.to === email).length, { timeout: 20_000 }).toBe(1);
    const [mail] = stack.sink.list().filter((m) => m.to === email);
    expect(mail!.subject).toBe('Please confirm your privacy request');
    expect(stack.sink.get(mail!.id)?.text).toContain('https://zweck.test/privacy-request/verify/');

    await env.sleep(73 * HOUR_MS);
    const outcome: DsrWorkflowOutcome = await handle.result();
    expect(outcome).toEqual({ outcome: 'verification_lapsed' });
    const row = await stack.db.dataSubjectRequest.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'rejected', requesterSealed: null });
    // The DPO was never told of an unverified request, and the history never held the address.
    expect(await noticesOf(id)).toEqual([]);
    expect(JSON.stringify(await handle.fetchHistory()).toLowerCase()).not.toContain('requester@example.org');
  });
});
