import { z } from 'zod';

/**
 * The Art. 14 duty clock: a daily Temporal Schedule starts `art14NoticeWorkflow`, which informs
 * every person whose data was not collected from them and who was not informed yet, or reminds
 * the DPO where the product cannot. IDs and counts only.
 */
export const ART14_SCHEDULE_ID = 'art14-notices-daily';

export const ZArt14NoticeInput = z.object({
  version: z.literal(1),
  /** Duties handled per activity. */
  batchSize: z.number().int().min(1).max(500).default(50),
});
export type Art14NoticeInput = z.input<typeof ZArt14NoticeInput>;

export interface Art14NoticeOutcome {
  notified: number;
  remindedDpo: number;
  skipped: number;
}
