import { defineQuery, defineSignal } from '@temporalio/workflow';
import { z } from 'zod';

/**
 * Dated reviews ("Wiedervorlage", issue 5): one workflow per review (`review:<reviewId>`) that
 * reminds the DPO before the due date, again when it passed, and escalates to the admins after
 * the review's escalation time; done on a recurring review starts the next one. IDs and dates
 * only: the title, the notes and a snooze's reason stay in the database.
 */
export const reviewWorkflowId = (reviewId: string): string => `review:${reviewId}`;

export const ZReviewInput = z.object({ version: z.literal(1), reviewId: z.uuid() });
export type ReviewInput = z.infer<typeof ZReviewInput>;

export type ReviewOutcome = { outcome: 'done'; nextReviewId: string | null } | { outcome: 'gone' };

/** The API marked the review done (the database row is written before the signal). */
export const reviewDoneSignal = defineSignal<[{ reviewId: string }]>('reviewDone');
/**
 * The API snoozed the review to `until` (YYYY-MM-DD; the reason is in the database only): the
 * clock moves and the reminders start again.
 */
export const reviewSnoozedSignal = defineSignal<[{ reviewId: string; until: string }]>('reviewSnoozed');
/** The due date, lead time or escalation time changed: plan again from the database. */
export const reviewUpdatedSignal = defineSignal<[{ reviewId: string }]>('reviewUpdated');

export interface ReviewWorkflowState {
  /** The effective due date being waited for (YYYY-MM-DD). */
  dueOn: string | null;
  /** The next stage the workflow waits for. */
  next: 'review_due' | 'review_overdue' | 'review_escalated' | 'done' | 'waiting';
}
export const reviewStateQuery = defineQuery<ReviewWorkflowState>('reviewState');
