import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import type { reviewWorkflow } from '@zweck/workflows';
import { reviewDoneSignal, reviewSnoozedSignal, reviewWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeSkippingTestEnv } from './test/env.ts';
import { startWorkflowStack, type WorkflowStack } from './test/stack.ts';

const payloadKeys = ZPayloadKeys.parse(`test:${randomBytes(32).toString('base64')}`);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const midnight = (isoDay: string): number => Date.parse(`${isoDay}T00:00:00.000Z`);

describe('reviews (Wiedervorlage): reminder, overdue, escalation, snooze, recurrence (time-skipping server, real PostgreSQL and SMTP)', () => {
  let env: TestWorkflowEnvironment;
  let stack: WorkflowStack;
  let dpoId = '';

  beforeAll(async () => {
    env = await createTimeSkippingTestEnv({ dataConverter: createDataConverter(payloadKeys) });
    stack = await startWorkflowStack(env, 'reviews', payloadKeys);
    for (const role of ['dpo', 'admin'] as const) {
      const user = await stack.db.user.create({
        data: { email: `${role}@office.example`, displayName: `The ${role}`, role, passwordHash: 'not-used' },
        select: { id: true },
      });
      if (role === 'dpo') dpoId = user.id;
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await env?.teardown();
  });

  async function review(opts: { dueOn: string; lead?: number; escalateAfter?: number; recurrence?: number | null }) {
    const row = await stack.db.review.create({
      data: {
        subjectType: 'purpose',
        subjectId: 'newsletter',
        // Free text stays in the database: it must appear in no mail and no history.
        title: 'Check the Canary contract of Erika',
        dueOn: new Date(`${opts.dueOn}T00:00:00.000Z`),
        reminderLeadDays: opts.lead ?? 14,
        escalateAfterDays: opts.escalateAfter ?? 14,
        recurrenceMonths: opts.recurrence ?? null,
        createdBy: 'system:test',
      },
      select: { id: true },
    });
    const handle = await env.client.workflow.start<typeof reviewWorkflow>('reviewWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: reviewWorkflowId(row.id),
      args: [{ version: 1, reviewId: row.id }],
    });
    return { id: row.id, handle };
  }

  /** The mails about one review to one recipient, by subject. */
  const mailsAbout = (reviewId: string, to: string) =>
    stack.sink
      .list()
      .filter((m) => m.to === to)
      .map((m) => stack.sink.get(m.id)!)
      .filter((m) => m.text?.includes(`/privacy/reviews/${reviewId}`))
      .map((m) => m.subject);
  const eventsOf = async (reviewId: string) =>
    (await stack.db.reviewEvent.findMany({ where: { reviewId }, orderBy: { occurredAt: 'asc' }, select: { kind: true } })).map(
      (e) => e.kind,
    );

  it('reminds the DPO the configured number of days before the due date, not earlier', async () => {
    const start = await env.currentTimeMs();
    const dueOn = day(start + 30 * DAY_MS);
    const { id, handle } = await review({ dueOn, lead: 7 });
    const remindAt = midnight(dueOn) - 7 * DAY_MS;

    await env.sleep(remindAt - start - 2 * HOUR_MS);
    // Let the workflow task and any activity settle before asserting the absence.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await stack.db.dpoNotice.count({ where: { subjectId: id } })).toBe(0);
    expect(mailsAbout(id, 'dpo@office.example')).toEqual([]);

    await env.sleep(4 * HOUR_MS);
    await expect.poll(() => mailsAbout(id, 'dpo@office.example'), { timeout: 20_000 }).toEqual(['A review is due soon']);
    const notice = await stack.db.dpoNotice.findFirstOrThrow({ where: { subjectType: 'review', subjectId: id } });
    expect(notice).toMatchObject({ kind: 'review_due', escalated: false });
    expect(notice.dueAt?.toISOString()).toBe(`${dueOn}T00:00:00.000Z`);
    expect(await eventsOf(id)).toEqual(['reminded']);
    expect(mailsAbout(id, 'admin@office.example')).toEqual([]);
    const mail = stack.sink.list().find((m) => m.to === 'dpo@office.example' && stack.sink.get(m.id)?.text?.includes(id));
    expect(JSON.stringify(stack.sink.get(mail!.id))).not.toMatch(/Canary|Erika/);

    // The history carries IDs and dates, never the review's free text.
    const history = await handle.fetchHistory();
    expect(JSON.stringify(history)).not.toMatch(/Canary|Erika/);
    await handle.terminate('test done');
  });

  it('an overdue review says so at once and escalates to the admins after the configured days', async () => {
    const start = await env.currentTimeMs();
    const dueOn = day(start - 2 * DAY_MS);
    const { id, handle } = await review({ dueOn, lead: 7, escalateAfter: 3 });
    // Planned late: "overdue" once, not "due soon" as well.
    await expect.poll(() => mailsAbout(id, 'dpo@office.example'), { timeout: 20_000 }).toEqual(['A review is overdue']);
    expect(mailsAbout(id, 'admin@office.example')).toEqual([]);

    const escalateAt = midnight(dueOn) + DAY_MS + 3 * DAY_MS;
    await env.sleep(escalateAt - start - 3 * HOUR_MS);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(mailsAbout(id, 'admin@office.example')).toEqual([]);
    expect((await stack.db.review.findUniqueOrThrow({ where: { id } })).escalatedAt).toBeNull();

    await env.sleep(6 * HOUR_MS);
    await expect.poll(() => mailsAbout(id, 'admin@office.example'), { timeout: 20_000 }).toEqual(['A review is overdue and was escalated']);
    expect(mailsAbout(id, 'dpo@office.example').sort()).toEqual(['A review is overdue', 'A review is overdue and was escalated']);
    expect((await stack.db.review.findUniqueOrThrow({ where: { id } })).escalatedAt).not.toBeNull();
    expect(await eventsOf(id)).toEqual(['overdue', 'escalated']);
    const escalated = await stack.db.dpoNotice.findFirstOrThrow({ where: { subjectId: id, kind: 'review_escalated' } });
    expect(escalated.escalated).toBe(true);
    // Nothing more is sent however long it stays open.
    await env.sleep(30 * DAY_MS);
    expect(await stack.db.dpoNotice.count({ where: { subjectId: id } })).toBe(2);
    await handle.terminate('test done');
  });

  it('a snooze moves the reminder to the new date', async () => {
    const start = await env.currentTimeMs();
    const dueOn = day(start + 10 * DAY_MS);
    const { id, handle } = await review({ dueOn, lead: 7 });
    const until = day(start + 40 * DAY_MS);
    // What the API's snooze does: the row first, then the signal (the reason never enters the workflow).
    await stack.db.review.update({
      where: { id },
      data: { status: 'snoozed', snoozedUntil: new Date(`${until}T00:00:00.000Z`), snoozeReason: 'Waiting for the processor' },
    });
    await handle.signal(reviewSnoozedSignal, { reviewId: id, until });

    await env.sleep(midnight(until) - 7 * DAY_MS - start - 2 * HOUR_MS);
    await new Promise((r) => setTimeout(r, 1_000));
    // The old reminder date (3 days in) passed without a reminder.
    expect(mailsAbout(id, 'dpo@office.example')).toEqual([]);

    await env.sleep(4 * HOUR_MS);
    await expect.poll(() => mailsAbout(id, 'dpo@office.example'), { timeout: 20_000 }).toEqual(['A review is due soon']);
    const notice = await stack.db.dpoNotice.findFirstOrThrow({ where: { subjectId: id } });
    expect(notice.dueAt?.toISOString()).toBe(`${until}T00:00:00.000Z`);
    // The reminders resumed: the snooze is over.
    expect((await stack.db.review.findUniqueOrThrow({ where: { id } })).status).toBe('open');
    await handle.terminate('test done');
  });

  it('done on a recurring review creates the next one, one recurrence later, with its own workflow', async () => {
    const start = await env.currentTimeMs();
    const dueOn = day(start + 20 * DAY_MS);
    const { id, handle } = await review({ dueOn, recurrence: 12 });
    await stack.db.review.update({ where: { id }, data: { status: 'done', doneAt: new Date(), doneBy: dpoId } });
    await handle.signal(reviewDoneSignal, { reviewId: id });
    const result = await handle.result();
    expect(result.outcome).toBe('done');
    const nextId = result.outcome === 'done' ? result.nextReviewId : null;
    expect(nextId).not.toBeNull();
    const next = await stack.db.review.findUniqueOrThrow({ where: { id: nextId! } });
    const expected = new Date(`${dueOn}T00:00:00.000Z`);
    expected.setUTCFullYear(expected.getUTCFullYear() + 1);
    expect(next).toMatchObject({ previousId: id, status: 'open', recurrenceMonths: 12, title: 'Check the Canary contract of Erika' });
    expect(next.dueOn.toISOString()).toBe(expected.toISOString());
    expect(await eventsOf(id)).toEqual(['next_created']);
    expect(await eventsOf(nextId!)).toEqual(['created']);
    const successor = env.client.workflow.getHandle(reviewWorkflowId(nextId!));
    expect((await successor.describe()).status.name).toBe('RUNNING');
    // No reminder for a review done before its time.
    expect(mailsAbout(id, 'dpo@office.example')).toEqual([]);
    await successor.terminate('test done');
  });
});
