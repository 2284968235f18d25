import { z } from 'zod';
import { ZCreateReviewInput, ZDay, ZReviewSubjectType } from '../../reviews/create-review.ts';

export { ZCreateReviewInput };

export const ZReviewIdInput = z.object({ id: z.uuid() });

/** The lists of the reviews page, and the calendar's month. */
export const ZReviewListInput = z.discriminatedUnion('view', [
  z.object({ view: z.literal('week') }),
  z.object({ view: z.literal('overdue') }),
  z.object({ view: z.literal('all'), includeDone: z.boolean().default(false) }),
  z.object({ view: z.literal('month'), month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'A month as YYYY-MM') }),
]);
export type ReviewListInput = z.infer<typeof ZReviewListInput>;

export const ZSnoozeInput = z.object({
  id: z.uuid(),
  until: ZDay,
  // Why the review waits: required, so that the DPO can account for it (Art. 5(2)).
  reason: z.string().trim().min(3, 'Say why the review waits').max(500),
});

export const ZUpdateReviewInput = z.object({
  id: z.uuid(),
  title: z.string().trim().min(1).max(200).optional(),
  notes: z.string().max(4000).optional(),
  dueOn: ZDay.optional(),
  reminderLeadDays: z.number().int().min(0).max(365).optional(),
  recurrenceMonths: z.number().int().min(1).max(120).nullable().optional(),
  escalateAfterDays: z.number().int().min(1).max(365).optional(),
});

export const ZReviewStatus = z.enum(['open', 'snoozed', 'done']);

export const ZReviewListItem = z.object({
  id: z.uuid(),
  subjectType: ZReviewSubjectType,
  subjectId: z.string(),
  title: z.string(),
  /** The effective due date (a snooze's date when snoozed), YYYY-MM-DD. */
  dueOn: z.string(),
  status: ZReviewStatus,
  recurrenceMonths: z.number().nullable(),
  isOverdue: z.boolean(),
  escalatedAt: z.date().nullable(),
});
export type ReviewListItem = z.infer<typeof ZReviewListItem>;

export const ZReviewEventOut = z.object({
  id: z.uuid(),
  kind: z.string(),
  actor: z.string(),
  /** The actor's display name when a user acted. */
  actorName: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  occurredAt: z.date(),
});

export const ZReviewOut = ZReviewListItem.extend({
  notes: z.string(),
  originalDueOn: z.string(),
  reminderLeadDays: z.number(),
  escalateAfterDays: z.number(),
  snoozedUntil: z.string().nullable(),
  snoozeReason: z.string().nullable(),
  doneAt: z.date().nullable(),
  doneByName: z.string().nullable(),
  previousId: z.uuid().nullable(),
  nextId: z.uuid().nullable(),
  createdBy: z.string(),
  createdAt: z.date(),
  /** The subject's page in the admin UI, or null when it has none. */
  subjectPath: z.string().nullable(),
  events: z.array(ZReviewEventOut),
});
export type ReviewOut = z.infer<typeof ZReviewOut>;
