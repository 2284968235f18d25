import { ApplicationFailure } from '@temporalio/common';
import { addMonths, format, parseISO } from 'date-fns';
import { isUniqueViolation, type Db } from '@zweck/db';
import type { Mailer } from '@zweck/mail';
import type { ActivitiesConfig } from './activities.ts';
import { notifyDpo, type DpoNoticeInput } from './dpo-notices.ts';

export interface ReviewActivityDeps {
  db: Db;
  mailer: Mailer;
  config: ActivitiesConfig;
  now: () => Date;
}

/** The stages of a review's reminders, named as the DPO notice kinds they send. */
export type ReviewStage = 'review_due' | 'review_overdue' | 'review_escalated';

/** What the review workflow plans with: dates and numbers, nothing else. */
export interface ReviewPlan {
  status: 'open' | 'snoozed' | 'done';
  /** The effective due date (the snooze's date when snoozed), YYYY-MM-DD. */
  dueOn: string;
  reminderLeadDays: number;
  escalateAfterDays: number;
}

const EVENT_OF_STAGE: Record<ReviewStage, string> = {
  review_due: 'reminded',
  review_overdue: 'overdue',
  review_escalated: 'escalated',
};

const ACTOR = 'system:review-workflow';

/** A `date` column (midnight UTC) as YYYY-MM-DD. */
export const isoDay = (date: Date): string => date.toISOString().slice(0, 10);
/** YYYY-MM-DD as the value of a `date` column. */
export const dayToDate = (day: string): Date => new Date(`${day}T00:00:00.000Z`);

/** The due date a review waits for: a snooze moves it. */
export const effectiveDueOn = (review: { dueOn: Date; snoozedUntil: Date | null }): string => isoDay(review.snoozedUntil ?? review.dueOn);

export function createReviewActivities({ db, mailer, config, now }: ReviewActivityDeps) {
  return {
    /** Put a notice into the DPO's inbox and mail them a link (workflows/activities/src/dpo-notices.ts). */
    async notifyDpo(input: DpoNoticeInput): Promise<{ noticeId: string; created: boolean }> {
      return notifyDpo({ db, mailer, config, now }, input);
    },

    async loadReviewPlan(input: { reviewId: string }): Promise<ReviewPlan | null> {
      const review = await db.review.findUnique({
        where: { id: input.reviewId },
        select: { status: true, dueOn: true, snoozedUntil: true, reminderLeadDays: true, escalateAfterDays: true },
      });
      if (!review) return null;
      return {
        status: review.status,
        dueOn: effectiveDueOn(review),
        reminderLeadDays: review.reminderLeadDays,
        escalateAfterDays: review.escalateAfterDays,
      };
    },

    /**
     * One stage of the reminders for the due date the workflow planned with: recorded in the
     * review's history once and sent to the DPO's inbox once (the dedupe key names the stage and
     * the date, so a snooze to another date starts the reminders afresh). Skipped when the review
     * was done or moved in the meantime.
     */
    async remindReview(input: { reviewId: string; stage: ReviewStage; dueOn: string }): Promise<{ outcome: 'notified' | 'skipped' }> {
      const review = await db.review.findUnique({
        where: { id: input.reviewId },
        select: { status: true, dueOn: true, snoozedUntil: true, escalatedAt: true },
      });
      if (!review || review.status === 'done' || effectiveDueOn(review) !== input.dueOn) return { outcome: 'skipped' };
      const dedupeKey = `review:${input.reviewId}:${input.stage}:${input.dueOn}`;
      const escalate = input.stage === 'review_escalated';
      await db.$transaction(async (tx) => {
        await tx.reviewEvent.createMany({
          data: [
            {
              reviewId: input.reviewId,
              kind: EVENT_OF_STAGE[input.stage],
              actor: ACTOR,
              details: { dueOn: input.dueOn, ...(escalate ? { to: 'admin' } : {}) },
              dedupeKey,
              occurredAt: now(),
            },
          ],
          skipDuplicates: true,
        });
        // The reminders resumed: the snooze is over.
        if (review.status === 'snoozed') await tx.review.update({ where: { id: input.reviewId }, data: { status: 'open' } });
        if (escalate && review.escalatedAt === null) {
          await tx.review.update({ where: { id: input.reviewId }, data: { escalatedAt: now() } });
        }
      });
      await notifyDpo(
        { db, mailer, config, now },
        {
          kind: input.stage,
          subjectType: 'review',
          subjectId: input.reviewId,
          dueAt: dayToDate(input.dueOn).toISOString(),
          dedupeKey,
          escalate,
        },
      );
      return { outcome: 'notified' };
    },

    /**
     * A recurring review was done: its successor, due one recurrence after this one's due date
     * (the rhythm stays, however late it was done). Once per review (unique previous_id).
     */
    async createNextReview(input: { reviewId: string }): Promise<{ nextReviewId: string | null }> {
      const review = await db.review.findUnique({ where: { id: input.reviewId } });
      if (!review) return { nextReviewId: null };
      if (review.status !== 'done') {
        throw ApplicationFailure.nonRetryable('the review is not done', 'ReviewNotDone');
      }
      if (review.recurrenceMonths === null) return { nextReviewId: null };
      const existing = await db.review.findUnique({ where: { previousId: review.id }, select: { id: true } });
      if (existing) return { nextReviewId: existing.id };
      // date-fns computes in local time: a calendar day in, a calendar day out, whatever the zone.
      const nextDue = format(addMonths(parseISO(isoDay(review.dueOn)), review.recurrenceMonths), 'yyyy-MM-dd');
      try {
        const next = await db.$transaction(async (tx) => {
          const created = await tx.review.create({
            data: {
              subjectType: review.subjectType,
              subjectId: review.subjectId,
              title: review.title,
              notes: review.notes,
              dueOn: dayToDate(nextDue),
              reminderLeadDays: review.reminderLeadDays,
              recurrenceMonths: review.recurrenceMonths,
              escalateAfterDays: review.escalateAfterDays,
              previousId: review.id,
              createdBy: ACTOR,
            },
            select: { id: true },
          });
          await tx.reviewEvent.createMany({
            data: [
              {
                reviewId: created.id,
                kind: 'created',
                actor: ACTOR,
                details: { previousId: review.id, dueOn: nextDue },
                occurredAt: now(),
              },
              {
                reviewId: review.id,
                kind: 'next_created',
                actor: ACTOR,
                details: { nextReviewId: created.id, dueOn: nextDue },
                occurredAt: now(),
              },
            ],
          });
          return created;
        });
        return { nextReviewId: next.id };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const winner = await db.review.findUniqueOrThrow({ where: { previousId: review.id }, select: { id: true } });
        return { nextReviewId: winner.id };
      }
    },
  };
}
