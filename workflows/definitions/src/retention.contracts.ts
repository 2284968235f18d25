import { defineSignal } from '@temporalio/workflow';
import { z } from 'zod';

/**
 * The deletion concept (issue 5): a daily Temporal Schedule starts `retentionWorkflow`, which
 * reminds the DPO of deadlines within each policy's lead time and gathers the contacts past
 * theirs into a run; every run is its own `retentionRunWorkflow`, which waits for the DPO's
 * approval where the policy asks for it, then restricts (legal hold) or erases each contact.
 * IDs, dates and counts only.
 */
export const RETENTION_SCHEDULE_ID = 'retention-daily';

export const ZRetentionInput = z.object({
  version: z.literal(1),
  /** Contacts per activity page. */
  batchSize: z.number().int().min(1).max(1_000).default(200),
  /** Where a continued run goes on: the policies after this ID. */
  afterPolicyId: z.uuid().nullable().default(null),
  /** Only this policy: the DPO's "check now" instead of waiting for the schedule. */
  policyId: z.uuid().nullable().default(null),
});
export type RetentionInput = z.input<typeof ZRetentionInput>;

export interface RetentionOutcome {
  policies: number;
  reminded: number;
  noticesCreated: number;
  runsStarted: string[];
}

export const retentionRunWorkflowId = (runId: string): string => `retention-run:${runId}`;
/** The DPO's "check now" of one policy: one at a time per policy. */
export const retentionCheckWorkflowId = (policyId: string): string => `retention-check:${policyId}`;

export const ZRetentionRunInput = z.object({
  version: z.literal(1),
  runId: z.uuid(),
  /** Items checked per activity. */
  batchSize: z.number().int().min(1).max(500).default(50),
  /** Erasures under way at once. */
  eraseConcurrency: z.number().int().min(1).max(16).default(4),
});
export type RetentionRunInput = z.input<typeof ZRetentionRunInput>;

export type RetentionRunResult =
  { outcome: 'rejected' } | { outcome: 'done'; deleted: number; anonymized: number; restricted_by_hold: number; skipped: number };

/** The DPO decided (the API wrote the decision first; the workflow reads it from the database). */
export const retentionRunDecisionSignal = defineSignal('retentionRunDecision');
