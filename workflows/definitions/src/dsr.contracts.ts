import { defineQuery, defineSignal } from '@temporalio/workflow';
import { z } from 'zod';

/**
 * A data-subject request's workflow (issue 5): one per request, `dsr:<requestId>`. It mails the
 * verification link of a web form request, tells the DPO of the request, reminds before the due
 * date and when it has passed, sends the Art. 19 notices the API has recorded, and answers an
 * address we hold nothing about. Its history holds the request's ID, times and counts only.
 */
export const dsrWorkflowId = (requestId: string): string => `dsr:${requestId}`;

/** Days before the due date on which the DPO is reminded, by default. */
export const DSR_DEFAULT_REMINDER_DAYS = [7, 1] as const;
/** How long the verification link of a web form request works. */
export const DSR_VERIFICATION_HOURS = 72;

export const ZDsrWorkflowInput = z.object({
  version: z.literal(1),
  requestId: z.uuid(),
  /** Reminders this many days before the due date (the overdue notice comes regardless). */
  reminderDays: z
    .array(z.number().int().min(1).max(60))
    .max(10)
    .default([...DSR_DEFAULT_REMINDER_DAYS]),
});
export type DsrWorkflowInput = z.input<typeof ZDsrWorkflowInput>;

export type DsrWorkflowOutcome =
  | { outcome: 'closed'; status: 'completed' | 'rejected'; reminders: number }
  | { outcome: 'verification_lapsed' }
  | { outcome: 'request_gone' };

/**
 * Something about the request changed in the database (verified, extended, notices recorded,
 * closed): the workflow reads it again. Carries nothing; the database is the truth.
 */
export const dsrUpdatedSignal = defineSignal('dsrUpdated');

/** Which reminders the workflow has sent and what it waits for. */
export interface DsrWorkflowState {
  phase: 'verifying' | 'open' | 'closed';
  effectiveDueAt: string | null;
  nextReminderAt: string | null;
  reminders: number;
}
export const dsrStateQuery = defineQuery<DsrWorkflowState>('dsrState');
