import { z } from 'zod';

/**
 * Re-permission: a daily Temporal Schedule starts `repermissionWorkflow`, which asks every person
 * whose consent expires within `withinDays` whether to renew it. IDs and counts only.
 */
export const REPERMISSION_SCHEDULE_ID = 'repermission-daily';
/** How far ahead of an expiry the person is asked, by default. */
export const REPERMISSION_DEFAULT_WITHIN_DAYS = 30;

export const ZRepermissionInput = z.object({
  version: z.literal(1),
  withinDays: z.number().int().min(1).max(365).default(REPERMISSION_DEFAULT_WITHIN_DAYS),
  /** Grants asked about per activity. */
  batchSize: z.number().int().min(1).max(1_000).default(100),
});
export type RepermissionInput = z.input<typeof ZRepermissionInput>;

export interface RepermissionOutcome {
  sent: number;
  skipped: number;
  failed: number;
}
