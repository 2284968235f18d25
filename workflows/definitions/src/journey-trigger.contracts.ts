import { defineSignal } from '@temporalio/workflow';
import { z } from 'zod';

/**
 * The trigger of a journey that starts on entering a segment: one long-running workflow per
 * journey (`journey-trigger:<journeyId>`) that pages the segment's new members in keyset pages,
 * enrols them in bounded batches and starts one journey workflow each, then sleeps until the next
 * pass. It reads the journey's latest published version at every pass and ends by itself when the
 * journey is no longer active or no longer starts on a segment. IDs only.
 */
export const journeyTriggerWorkflowId = (journeyId: string): string => `journey-trigger:${journeyId}`;

export const ZJourneyTriggerInput = z.object({
  version: z.literal(1),
  journeyId: z.uuid(),
  /** Minutes between two passes over the segment. */
  intervalMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** Members enrolled per page (one activity, then one child workflow each). */
  pageSize: z.number().int().min(1).max(500).default(100),
  /** Set by continue-as-new: the last contact ID of the pass under way. */
  cursor: z.uuid().nullable().optional(),
});
export type JourneyTriggerInput = z.input<typeof ZJourneyTriggerInput>;

export type JourneyTriggerOutcome = {
  outcome: 'stopped';
  reason: 'journey_inactive' | 'not_segment_trigger' | 'stop_requested';
  enrolled: number;
};

/** Run a pass now (after publishing a new version), instead of at the end of the interval. */
export const wakeJourneyTriggerSignal = defineSignal('wakeJourneyTrigger');
/** End the trigger after the page under way (the journey was paused or archived). */
export const stopJourneyTriggerSignal = defineSignal('stopJourneyTrigger');
