import { z } from 'zod';

const day = z.iso.date('A date as YYYY-MM-DD');

/** The snooze: a later day and the reason, both required (the API checks the same). */
export const ZSnoozeForm = z.object({
  until: day,
  reason: z.string().trim().min(3, 'Say why the review waits').max(500, 'At most 500 characters'),
});
export type SnoozeFormValues = z.infer<typeof ZSnoozeForm>;
export const SNOOZE_PATHS = ['until', 'reason'] as const;
export const isSnoozePath = (path: string): path is (typeof SNOOZE_PATHS)[number] => (SNOOZE_PATHS as readonly string[]).includes(path);

const wholeDays = (min: number, max: number, message: string) =>
  z.string().regex(/^\d+$/, message).transform(Number).pipe(z.number().int().min(min, message).max(max, message));

/** The "New review" form, as the inputs hold it (strings), and what it sends. */
export const ZNewReviewForm = z.object({
  subjectType: z.enum(['purpose', 'processor', 'retention_policy', 'contact', 'data_subject_request']),
  subjectId: z.string().trim().min(1, 'Choose what the review is about').max(100),
  title: z.string().trim().min(1, 'Give the review a title').max(200, 'At most 200 characters'),
  notes: z.string().max(4000, 'At most 4000 characters'),
  dueOn: day,
  recurrenceMonths: z.union([z.literal(''), z.enum(['3', '6', '12', '24'])]).transform((v) => (v === '' ? null : Number(v))),
  reminderLeadDays: wholeDays(0, 365, 'Between 0 and 365 days'),
  escalateAfterDays: wholeDays(1, 365, 'Between 1 and 365 days'),
});
export type NewReviewFormInput = z.input<typeof ZNewReviewForm>;
export type NewReviewFormValues = z.output<typeof ZNewReviewForm>;
export const NEW_REVIEW_PATHS = [
  'subjectType',
  'subjectId',
  'title',
  'notes',
  'dueOn',
  'recurrenceMonths',
  'reminderLeadDays',
  'escalateAfterDays',
] as const;
export const isNewReviewPath = (path: string): path is (typeof NEW_REVIEW_PATHS)[number] =>
  (NEW_REVIEW_PATHS as readonly string[]).includes(path);
