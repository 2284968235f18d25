import { addDays, endOfMonth, format, parseISO } from 'date-fns';
import type { Prisma } from '@zweck/db';
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { createReview } from '../../reviews/create-review.ts';
import { signalReview } from '../../reviews/review-workflow.ts';
import { subjectPathOf } from '../../reviews/subject-paths.ts';
import type { Context } from '../../trpc/context.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import {
  ZCreateReviewInput,
  ZReviewIdInput,
  ZReviewListInput,
  ZReviewListItem,
  ZReviewOut,
  ZSnoozeInput,
  ZUpdateReviewInput,
  type ReviewListInput,
  type ReviewListItem,
  type ReviewOut,
} from './reviews.schema.ts';

/** The DPO keeps the reviews; administrators read them (and hear of escalations). */
const READ_ROLES = ['dpo', 'admin'] as const;
const WRITE_ROLES = ['dpo'] as const;

const LIST_SELECT = {
  id: true,
  subjectType: true,
  subjectId: true,
  title: true,
  dueOn: true,
  snoozedUntil: true,
  status: true,
  recurrenceMonths: true,
  escalatedAt: true,
} as const satisfies Prisma.ReviewSelect;
type ListRow = Prisma.ReviewGetPayload<{ select: typeof LIST_SELECT }>;

const isoDay = (date: Date): string => date.toISOString().slice(0, 10);
const dayDate = (day: string): Date => new Date(`${day}T00:00:00.000Z`);
/** Today as a calendar day (UTC, like the workflow's clock). */
const today = (): string => isoDay(new Date());
const effectiveDue = (row: { dueOn: Date; snoozedUntil: Date | null }): string => isoDay(row.snoozedUntil ?? row.dueOn);

/** The effective due date (a snooze moves it) within [from, to]. */
const dueBetween = (from: string, to: string): Prisma.ReviewWhereInput => ({
  OR: [{ snoozedUntil: null, dueOn: { gte: dayDate(from), lte: dayDate(to) } }, { snoozedUntil: { gte: dayDate(from), lte: dayDate(to) } }],
});
const dueBefore = (day: string): Prisma.ReviewWhereInput => ({
  OR: [{ snoozedUntil: null, dueOn: { lt: dayDate(day) } }, { snoozedUntil: { lt: dayDate(day) } }],
});

function whereOf(input: ReviewListInput): Prisma.ReviewWhereInput {
  const now = today();
  switch (input.view) {
    case 'week':
      // Due today or in the next six days.
      return { AND: [{ status: { not: 'done' } }, dueBetween(now, format(addDays(parseISO(now), 6), 'yyyy-MM-dd'))] };
    case 'overdue':
      return { AND: [{ status: { not: 'done' } }, dueBefore(now)] };
    case 'all':
      return input.includeDone ? {} : { status: { not: 'done' } };
    case 'month': {
      const first = `${input.month}-01`;
      return dueBetween(first, format(endOfMonth(parseISO(first)), 'yyyy-MM-dd'));
    }
  }
}

function toListItem(row: ListRow): ReviewListItem {
  const dueOn = effectiveDue(row);
  return ZReviewListItem.parse({
    id: row.id,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    title: row.title,
    dueOn,
    status: row.status,
    recurrenceMonths: row.recurrenceMonths,
    isOverdue: row.status !== 'done' && dueOn < today(),
    escalatedAt: row.escalatedAt,
  });
}

async function findReview(ctx: Context, id: string) {
  const review = await ctx.db.review.findUnique({ where: { id } });
  if (!review) throw new AppError('REVIEW_NOT_FOUND', 'There is no such review.', 'id');
  return review;
}

const actorOf = (userId: string): string => `user:${userId}`;

export const reviewsRouter = router({
  list: procedureFor(...READ_ROLES)
    .input(ZReviewListInput)
    .output(ZReviewListItem.array())
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.review.findMany({
        where: whereOf(input),
        select: LIST_SELECT,
        orderBy: [{ dueOn: 'asc' }, { createdAt: 'asc' }],
        take: 500,
      });
      return rows.map(toListItem).sort((a, b) => a.dueOn.localeCompare(b.dueOn));
    }),

  get: procedureFor(...READ_ROLES)
    .input(ZReviewIdInput)
    .output(ZReviewOut)
    .query(async ({ ctx, input }): Promise<ReviewOut> => {
      const review = await findReview(ctx, input.id);
      const [events, next] = await Promise.all([
        ctx.db.reviewEvent.findMany({ where: { reviewId: review.id }, orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }] }),
        ctx.db.review.findUnique({ where: { previousId: review.id }, select: { id: true } }),
      ]);
      const userIds = [
        ...new Set(
          [...events.map((e) => e.actor), review.createdBy]
            .filter((a) => a.startsWith('user:'))
            .map((a) => a.slice('user:'.length))
            .concat(review.doneBy ? [review.doneBy] : []),
        ),
      ];
      const users = new Map(
        (await ctx.db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, displayName: true } })).map((u) => [
          u.id,
          u.displayName,
        ]),
      );
      return {
        ...toListItem(review),
        notes: review.notes,
        originalDueOn: isoDay(review.dueOn),
        reminderLeadDays: review.reminderLeadDays,
        escalateAfterDays: review.escalateAfterDays,
        snoozedUntil: review.snoozedUntil ? isoDay(review.snoozedUntil) : null,
        snoozeReason: review.snoozeReason,
        doneAt: review.doneAt,
        doneByName: review.doneBy ? (users.get(review.doneBy) ?? null) : null,
        previousId: review.previousId,
        nextId: next?.id ?? null,
        createdBy: review.createdBy,
        createdAt: review.createdAt,
        subjectPath: subjectPathOf(review.subjectType, review.subjectId),
        events: events.map((e) => ({
          id: e.id,
          kind: e.kind,
          actor: e.actor,
          actorName: e.actor.startsWith('user:') ? (users.get(e.actor.slice('user:'.length)) ?? null) : null,
          details: typeof e.details === 'object' && e.details !== null && !Array.isArray(e.details) ? e.details : {},
          occurredAt: e.occurredAt,
        })),
      };
    }),

  create: procedureFor(...WRITE_ROLES)
    .input(ZCreateReviewInput)
    .output(z.object({ reviewId: z.uuid() }))
    .mutation(async ({ ctx, input }) =>
      createReview(
        { db: ctx.db, temporal: ctx.temporal, taskQueue: ctx.env.TEMPORAL_TASK_QUEUE },
        { ...input, actor: actorOf(ctx.user.id) },
      ),
    ),

  done: procedureFor(...WRITE_ROLES)
    .input(ZReviewIdInput)
    .output(z.object({ id: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const actor = actorOf(ctx.user.id);
      await ctx.db.$transaction(async (tx) => {
        const updated = await tx.review.updateMany({
          where: { id: input.id, status: { not: 'done' } },
          data: { status: 'done', doneAt: new Date(), doneBy: ctx.user.id },
        });
        if (updated.count === 0) {
          const exists = await tx.review.count({ where: { id: input.id } });
          throw exists
            ? new AppError('REVIEW_ALREADY_DONE', 'This review is done already.', 'id')
            : new AppError('REVIEW_NOT_FOUND', 'There is no such review.', 'id');
        }
        await tx.reviewEvent.create({ data: { reviewId: input.id, kind: 'done', actor } });
        await audit(tx, { actor, action: 'review.done', entityType: 'review', entityId: input.id });
      });
      // The workflow ends its reminders and, for a recurring review, creates the next one.
      await signalReview(ctx.temporal, input.id, { kind: 'done' }, ctx.env.TEMPORAL_TASK_QUEUE);
      return { id: input.id };
    }),

  snooze: procedureFor(...WRITE_ROLES)
    .input(ZSnoozeInput)
    .output(z.object({ id: z.uuid(), dueOn: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const review = await findReview(ctx, input.id);
      if (review.status === 'done') throw new AppError('REVIEW_ALREADY_DONE', 'This review is done already.', 'id');
      if (input.until <= today() || input.until <= effectiveDue(review)) {
        throw new AppError('REVIEW_SNOOZE_NOT_LATER', 'A snooze must move the review to a later day.', 'until');
      }
      const actor = actorOf(ctx.user.id);
      await ctx.db.$transaction(async (tx) => {
        await tx.review.update({
          where: { id: input.id },
          data: { status: 'snoozed', snoozedUntil: dayDate(input.until), snoozeReason: input.reason },
        });
        // The reason is kept in the history (the database), never in the workflow.
        await tx.reviewEvent.create({
          data: {
            reviewId: input.id,
            kind: 'snoozed',
            actor,
            details: { from: effectiveDue(review), until: input.until, reason: input.reason },
          },
        });
        await audit(tx, { actor, action: 'review.snoozed', entityType: 'review', entityId: input.id, details: { until: input.until } });
      });
      await signalReview(ctx.temporal, input.id, { kind: 'snoozed', until: input.until }, ctx.env.TEMPORAL_TASK_QUEUE);
      return { id: input.id, dueOn: input.until };
    }),

  update: procedureFor(...WRITE_ROLES)
    .input(ZUpdateReviewInput)
    .output(z.object({ id: z.uuid(), changed: z.array(z.string()) }))
    .mutation(async ({ ctx, input }) => {
      const review = await findReview(ctx, input.id);
      if (review.status === 'done') throw new AppError('REVIEW_ALREADY_DONE', 'This review is done already.', 'id');
      const { id, ...changes } = input;
      const data: Prisma.ReviewUpdateInput = {};
      const changed: string[] = [];
      if (changes.title !== undefined && changes.title !== review.title) {
        data.title = changes.title;
        changed.push('title');
      }
      if (changes.notes !== undefined && changes.notes !== review.notes) {
        data.notes = changes.notes;
        changed.push('notes');
      }
      if (changes.dueOn !== undefined && changes.dueOn !== isoDay(review.dueOn)) {
        // A new due date replaces a snooze: the review is planned afresh from it.
        Object.assign(data, { dueOn: dayDate(changes.dueOn), snoozedUntil: null, snoozeReason: null, status: 'open', escalatedAt: null });
        changed.push('dueOn');
      }
      if (changes.reminderLeadDays !== undefined && changes.reminderLeadDays !== review.reminderLeadDays) {
        data.reminderLeadDays = changes.reminderLeadDays;
        changed.push('reminderLeadDays');
      }
      if (changes.recurrenceMonths !== undefined && changes.recurrenceMonths !== review.recurrenceMonths) {
        data.recurrenceMonths = changes.recurrenceMonths;
        changed.push('recurrenceMonths');
      }
      if (changes.escalateAfterDays !== undefined && changes.escalateAfterDays !== review.escalateAfterDays) {
        data.escalateAfterDays = changes.escalateAfterDays;
        changed.push('escalateAfterDays');
      }
      if (changed.length === 0) return { id, changed };
      const actor = actorOf(ctx.user.id);
      await ctx.db.$transaction(async (tx) => {
        await tx.review.update({ where: { id }, data });
        await tx.reviewEvent.create({
          data: { reviewId: id, kind: 'updated', actor, details: { fields: changed, ...(changes.dueOn ? { dueOn: changes.dueOn } : {}) } },
        });
        await audit(tx, { actor, action: 'review.updated', entityType: 'review', entityId: id, details: { fields: changed } });
      });
      // Only the dates change the workflow's plan.
      if (changed.some((f) => f === 'dueOn' || f === 'reminderLeadDays' || f === 'escalateAfterDays')) {
        await signalReview(ctx.temporal, id, { kind: 'updated' }, ctx.env.TEMPORAL_TASK_QUEUE);
      }
      return { id, changed };
    }),
});
