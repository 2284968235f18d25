import type { Client } from '@temporalio/client';
import type { Db } from '@zweck/db';
import { z } from 'zod';
import { audit } from '../audit.ts';
import { AppError } from '../trpc/errors.ts';
import { startReviewWorkflow } from './review-workflow.ts';

/** What a review can be about: the DPO notices' subject types plus a purpose (no foreign key, checked here). */
export const ZReviewSubjectType = z.enum([
  'purpose',
  'review',
  'retention_policy',
  'retention_run',
  'data_subject_request',
  'contact',
  'processor',
]);
export type ReviewSubjectType = z.infer<typeof ZReviewSubjectType>;

/** A calendar day, YYYY-MM-DD, that exists. */
export const ZDay = z.iso.date();

export const ZCreateReviewInput = z.object({
  subjectType: ZReviewSubjectType,
  subjectId: z.string().trim().min(1).max(100),
  title: z.string().trim().min(1).max(200),
  notes: z.string().max(4000).optional(),
  dueOn: ZDay,
  reminderLeadDays: z.number().int().min(0).max(365).optional(),
  recurrenceMonths: z.number().int().min(1).max(120).nullable().optional(),
  escalateAfterDays: z.number().int().min(1).max(365).optional(),
});
export type CreateReviewInput = z.infer<typeof ZCreateReviewInput> & {
  /** 'user:<id>' or 'system:<component>'. */
  actor: string;
};

export interface ReviewDeps {
  db: Db;
  temporal: Client;
  taskQueue?: string | undefined;
}

/** The table of each subject type that has one; the names are fixed here, never taken from input. */
const SUBJECT_TABLES: Record<ReviewSubjectType, string> = {
  purpose: 'purpose',
  review: 'review',
  retention_policy: 'retention_policy',
  retention_run: 'retention_run',
  data_subject_request: 'data_subject_request',
  contact: 'contact',
  processor: 'processor',
};

/**
 * Whether the subject exists. Raw SQL over a fixed table name: some subject tables belong to
 * other slices of issue 5 and may be absent from a database that has not gained them yet.
 */
export async function subjectExists(db: Db, subjectType: ReviewSubjectType, subjectId: string): Promise<boolean> {
  const table = SUBJECT_TABLES[subjectType];
  try {
    const rows = await db.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM "${table}" WHERE "id"::text = $1 LIMIT 1`, subjectId);
    return rows.length > 0;
  } catch (error) {
    // 42P01: the table does not exist (yet) in this database.
    if (JSON.stringify(error).includes('42P01')) return false;
    throw error;
  }
}

/**
 * Create a dated review of an object and start its workflow (`review:<id>`), which reminds the
 * DPO before the due date and escalates when it is overdue. Others call this too (a processor's
 * review date, a retention policy's revision). Audited; the history starts with `created`.
 */
export async function createReview(deps: ReviewDeps, rawInput: CreateReviewInput): Promise<{ reviewId: string }> {
  const input = ZCreateReviewInput.parse(rawInput);
  if (!(await subjectExists(deps.db, input.subjectType, input.subjectId))) {
    throw new AppError('REVIEW_SUBJECT_NOT_FOUND', 'There is no such object to review.', 'subjectId');
  }
  const review = await deps.db.$transaction(async (tx) => {
    const row = await tx.review.create({
      data: {
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        title: input.title,
        notes: input.notes ?? '',
        dueOn: new Date(`${input.dueOn}T00:00:00.000Z`),
        ...(input.reminderLeadDays !== undefined ? { reminderLeadDays: input.reminderLeadDays } : {}),
        ...(input.escalateAfterDays !== undefined ? { escalateAfterDays: input.escalateAfterDays } : {}),
        recurrenceMonths: input.recurrenceMonths ?? null,
        createdBy: rawInput.actor,
      },
      select: { id: true },
    });
    await tx.reviewEvent.create({
      data: { reviewId: row.id, kind: 'created', actor: rawInput.actor, details: { dueOn: input.dueOn } },
    });
    await audit(tx, {
      actor: rawInput.actor,
      action: 'review.created',
      entityType: 'review',
      entityId: row.id,
      details: {
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        dueOn: input.dueOn,
        recurrenceMonths: input.recurrenceMonths ?? null,
      },
    });
    return row;
  });
  await startReviewWorkflow(deps.temporal, review.id, deps.taskQueue);
  return { reviewId: review.id };
}
