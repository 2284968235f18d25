import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { reviewWorkflowId } from '@zweck/workflows/contracts';
import { addDays, format } from 'date-fns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../trpc/errors.ts';
import { createHarness, type Harness } from '../../test/harness.ts';
import { codeOf } from '../../test/helpers.ts';

const dayIn = (days: number): string => format(addDays(new Date(), days), 'yyyy-MM-dd');
const appCodeOf = async (promise: Promise<unknown>): Promise<string | null> => {
  try {
    await promise;
    return null;
  } catch (error) {
    return error instanceof TRPCError && error.cause instanceof AppError ? error.cause.code : 'OTHER';
  }
};

/**
 * Reviews and the DPO inbox through the API (real PostgreSQL, the real Temporal server: the
 * review's workflow is started and signalled; no worker polls the harness's queue, so it waits).
 */
describe('reviews (Wiedervorlage) and the DPO inbox (API)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  const dpo = () => h.callerFor('dpo').caller;

  it('creates a review of a purpose, starts its workflow, and lists it by week, month and overdue', async () => {
    const dueOn = dayIn(3);
    const { reviewId } = await dpo().reviews.create({
      subjectType: 'purpose',
      subjectId: 'newsletter',
      title: 'Annual review of the newsletter purpose',
      dueOn,
      recurrenceMonths: 12,
    });
    const handle = h.temporal.workflow.getHandle(reviewWorkflowId(reviewId));
    expect((await handle.describe()).status.name).toBe('RUNNING');

    const week = await dpo().reviews.list({ view: 'week' });
    expect(week.map((r) => r.id)).toContain(reviewId);
    const month = await h.callerFor('admin').caller.reviews.list({ view: 'month', month: dueOn.slice(0, 7) });
    expect(month.find((r) => r.id === reviewId)).toMatchObject({ dueOn, status: 'open', isOverdue: false, subjectType: 'purpose' });
    expect((await dpo().reviews.list({ view: 'overdue' })).map((r) => r.id)).not.toContain(reviewId);

    const got = await dpo().reviews.get({ id: reviewId });
    expect(got).toMatchObject({
      title: 'Annual review of the newsletter purpose',
      subjectPath: '/catalogue/purposes/newsletter',
      recurrenceMonths: 12,
    });
    expect(got.events.map((e) => e.kind)).toEqual(['created']);
    expect(got.events[0]?.actorName).toBe('Dana DPO');
    expect(await h.db.auditEvent.count({ where: { action: 'review.created', entityId: reviewId } })).toBe(1);
    await handle.terminate('test done');
  });

  it('refuses a subject that does not exist and a bad date, naming the field and writing nothing', async () => {
    const before = await h.db.review.count();
    expect(await appCodeOf(dpo().reviews.create({ subjectType: 'contact', subjectId: randomUUID(), title: 'x', dueOn: dayIn(3) }))).toBe(
      'REVIEW_SUBJECT_NOT_FOUND',
    );
    expect(await codeOf(dpo().reviews.create({ subjectType: 'purpose', subjectId: 'newsletter', title: 'x', dueOn: '2026-02-30' }))).toBe(
      'BAD_REQUEST',
    );
    expect(await h.db.review.count()).toBe(before);
  });

  it('snoozes only with a reason and to a later day; the history keeps the reason, the workflow gets the date only', async () => {
    const { reviewId } = await dpo().reviews.create({
      subjectType: 'purpose',
      subjectId: 'newsletter',
      title: 'Snooze me',
      dueOn: dayIn(-2),
    });
    expect((await dpo().reviews.list({ view: 'overdue' })).find((r) => r.id === reviewId)?.isOverdue).toBe(true);
    expect(await codeOf(dpo().reviews.snooze({ id: reviewId, until: dayIn(20), reason: '' }))).toBe('BAD_REQUEST');
    expect(await appCodeOf(dpo().reviews.snooze({ id: reviewId, until: dayIn(-1), reason: 'Waiting for the contract' }))).toBe(
      'REVIEW_SNOOZE_NOT_LATER',
    );
    expect((await h.db.review.findUniqueOrThrow({ where: { id: reviewId } })).status).toBe('open');

    const until = dayIn(20);
    await dpo().reviews.snooze({ id: reviewId, until, reason: 'Waiting for the signed contract' });
    const got = await dpo().reviews.get({ id: reviewId });
    expect(got).toMatchObject({ status: 'snoozed', dueOn: until, snoozedUntil: until, snoozeReason: 'Waiting for the signed contract' });
    expect(got.events.map((e) => e.kind)).toEqual(['created', 'snoozed']);
    expect(got.events[1]?.details).toMatchObject({ until, reason: 'Waiting for the signed contract' });
    expect((await dpo().reviews.list({ view: 'overdue' })).map((r) => r.id)).not.toContain(reviewId);

    const handle = h.temporal.workflow.getHandle(reviewWorkflowId(reviewId));
    const history = await handle.fetchHistory();
    const signals = (history.events ?? []).flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes] : [],
    );
    expect(signals.map((s) => s.signalName)).toEqual(['reviewSnoozed']);
    expect(JSON.stringify(history)).not.toContain('Waiting for the signed contract');
    await handle.terminate('test done');
  });

  it('marks a review done once, audited; signal-with-start gives a review without a workflow one', async () => {
    // A seeded review has no workflow yet.
    const seeded = await h.db.review.create({
      data: {
        subjectType: 'purpose',
        subjectId: 'newsletter',
        title: 'Seeded',
        dueOn: new Date(`${dayIn(5)}T00:00:00Z`),
        createdBy: 'system:seed',
      },
    });
    await dpo().reviews.done({ id: seeded.id });
    const got = await dpo().reviews.get({ id: seeded.id });
    expect(got).toMatchObject({ status: 'done', doneByName: 'Dana DPO' });
    expect(got.events.map((e) => e.kind)).toEqual(['done']);
    expect(await appCodeOf(dpo().reviews.done({ id: seeded.id }))).toBe('REVIEW_ALREADY_DONE');
    expect(await h.db.auditEvent.count({ where: { action: 'review.done', entityId: seeded.id } })).toBe(1);
    const handle = h.temporal.workflow.getHandle(reviewWorkflowId(seeded.id));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test done');
  });

  it('lets the DPO write and the admin read; others get FORBIDDEN', async () => {
    const input = { subjectType: 'purpose', subjectId: 'newsletter', title: 'x', dueOn: dayIn(3) } as const;
    expect(await codeOf(h.callerFor('admin').caller.reviews.create(input))).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor('marketer').caller.reviews.list({ view: 'all' }))).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor('marketer').caller.dpoInbox.list({}))).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor(null).caller.reviews.list({ view: 'all' }))).toBe('UNAUTHORIZED');
    expect(await codeOf(h.callerFor('admin').caller.dpoInbox.markRead({ ids: [randomUUID()] }))).toBe('FORBIDDEN');
  });

  it('lists the inbox with links to the subjects and marks notices read', async () => {
    const reviewId = randomUUID();
    const notice = await h.db.dpoNotice.create({
      data: { kind: 'review_due', subjectType: 'review', subjectId: reviewId, dedupeKey: `test:${reviewId}`, dueAt: new Date() },
    });
    const { reviewId: realReview } = await dpo().reviews.create({
      subjectType: 'purpose',
      subjectId: 'newsletter',
      title: 'Inbox label check',
      dueOn: dayIn(20),
    });
    const named = await h.db.dpoNotice.create({
      data: { kind: 'review_due', subjectType: 'review', subjectId: realReview, dedupeKey: `test:${realReview}`, dueAt: new Date() },
    });
    const unread = await dpo().dpoInbox.list({ filter: 'unread' });
    // A subject that is gone has no name; one that exists is named by its title.
    expect(unread.items.find((n) => n.id === notice.id)).toMatchObject({
      subjectPath: `/privacy/reviews/${reviewId}`,
      subjectLabel: null,
      readAt: null,
    });
    expect(unread.items.find((n) => n.id === named.id)).toMatchObject({ subjectLabel: 'Inbox label check' });
    expect(unread.unreadCount).toBeGreaterThanOrEqual(1);

    expect(await dpo().dpoInbox.markRead({ ids: [notice.id] })).toEqual({ marked: 1 });
    expect(await dpo().dpoInbox.markRead({ ids: [notice.id] })).toEqual({ marked: 0 });
    expect((await dpo().dpoInbox.list({ filter: 'unread' })).items.map((n) => n.id)).not.toContain(notice.id);
    const all = await h.callerFor('admin').caller.dpoInbox.list({ filter: 'all' });
    expect(all.items.find((n) => n.id === notice.id)).toMatchObject({ readByName: 'Dana DPO' });
    expect(await appCodeOf(dpo().dpoInbox.markRead({ ids: [randomUUID()] }))).toBe('DPO_NOTICE_NOT_FOUND');
  });
});
