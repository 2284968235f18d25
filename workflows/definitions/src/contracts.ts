import { defineQuery, defineSignal } from '@temporalio/workflow';
import { z } from 'zod';
import { sha256HexPure, ZChannel, ZPurposeId } from '@zweck/policy';

/**
 * What crosses the workflow boundary. IDs only: no address, no name, nothing that identifies a
 * person in clear text ever enters a workflow history (DESIGN.md rule 5).
 */
export const TASK_QUEUE = 'zweck-main';

export const ZWelcomeInput = z.object({
  version: z.literal(1),
  contactId: z.uuid(),
  purposeId: ZPurposeId,
  channel: ZChannel,
});
export type WelcomeInput = z.infer<typeof ZWelcomeInput>;

export type WelcomeOutcome =
  | { outcome: 'sent'; messageRef: string }
  | { outcome: 'skipped'; reasonCodes: string[]; decidedBy: 'workflow' | 'activity' }
  | { outcome: 'failed'; smtpResponse: string }
  | { outcome: 'contact_gone' }
  /** The double opt-in was not confirmed in time: the pending consent expired, nothing was sent. */
  | { outcome: 'confirmation_expired' };

/**
 * The person's consent changed (confirmed, withdrawn, switched in the preference center): the
 * API has already written the ledger event with its proof. No payload: the workflow re-reads
 * and asks the policy again, so a withdrawal takes effect for every send not yet made.
 */
export const consentChangedSignal = defineSignal('consentChanged');

/** Derived from the business key, so that saving a contact twice starts one workflow. */
export const welcomeWorkflowId = (contactId: string, purposeId: string): string => `welcome:${purposeId}:${contactId}`;

/** The idempotency key of the welcome mail: one (step, contact) pair sends at most one message. */
export const welcomeIdempotencyKey = (contactId: string, purposeId: string): string => `welcome:${purposeId}:${contactId}`;

/**
 * The catalogue purpose under which answers to the person's own requests are mailed (Art. 12(3),
 * 15(3) GDPR; legal obligation). Seeded with the catalogue; the activities name it too.
 */
export const DATA_SUBJECT_RIGHTS_PURPOSE_ID = 'data_subject_rights';

/** A copy of the person's consent records, mailed to them: ledger entry IDs, never their content. */
export const ZConsentReceiptInput = z.object({
  version: z.literal(1),
  contactId: z.uuid(),
  consentEventIds: z.array(z.uuid()).min(1).max(50),
  /** Who asked: `user:<id>` (the DPO or an admin) or `contact` (the person, in the preference center). */
  requestedBy: z.union([z.literal('contact'), z.string().regex(/^user:[0-9a-f-]{36}$/)]),
});
export type ConsentReceiptInput = z.infer<typeof ZConsentReceiptInput>;

export type ConsentReceiptOutcome =
  | { outcome: 'sent'; messageRef: string }
  | { outcome: 'skipped'; reasonCodes: string[]; decidedBy: 'workflow' | 'activity' }
  | { outcome: 'failed'; smtpResponse: string }
  | { outcome: 'contact_gone' };

/**
 * The receipt mail's workflow ID, which is also its idempotency key: one mail per set of ledger
 * entries, so that a double click, a retry or a second request for the same records sends once.
 * One entry: `consent-receipt:<consentEventId>`; several: the contact and a digest of the set.
 */
export function consentReceiptWorkflowId(contactId: string, consentEventIds: readonly string[]): string {
  const ids = [...new Set(consentEventIds)].sort();
  if (ids.length === 1) return `consent-receipt:${ids[0]}`;
  return `consent-receipt:${contactId}:${sha256HexPure(ids.join(',')).slice(0, 32)}`;
}

/** A broadcast campaign: one workflow per campaign, IDs and counts only in its history. */
export const campaignWorkflowId = (campaignId: string): string => `campaign:${campaignId}`;

export const ZCampaignTotals = z.object({
  recipients: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type CampaignTotals = z.infer<typeof ZCampaignTotals>;

/** Where a campaign stands; carried over continue-as-new so that a run of any length keeps a short history. */
export const ZCampaignState = z.object({
  phase: z.enum(['resolving', 'sending']),
  /** The last contact ID resolved from the segment (keyset cursor); null before the first page. */
  cursor: z.uuid().nullable(),
  totals: ZCampaignTotals,
  paused: z.boolean(),
});
export type CampaignState = z.infer<typeof ZCampaignState>;

export const ZCampaignInput = z.object({
  version: z.literal(1),
  campaignId: z.uuid(),
  /** Page and batch sizes; the defaults suit production, tests use small ones to exercise paging. */
  tuning: z.object({ resolvePage: z.number().int().min(1).max(10_000), sendBatch: z.number().int().min(1).max(5_000) }).optional(),
  /** Absent on the first run; set by continue-as-new. */
  state: ZCampaignState.optional(),
});
export type CampaignInput = z.infer<typeof ZCampaignInput>;

export type CampaignProgress = CampaignState & {
  status: 'waiting' | 'running' | 'paused' | 'cancelling' | 'completed' | 'cancelled' | 'refused';
  refusedFor: string[];
};

export type CampaignOutcome =
  { outcome: 'completed' | 'cancelled'; totals: CampaignTotals } | { outcome: 'refused'; reasonCodes: string[] };

export const pauseCampaignSignal = defineSignal('pauseCampaign');
export const resumeCampaignSignal = defineSignal('resumeCampaign');
export const cancelCampaignSignal = defineSignal('cancelCampaign');
export const campaignProgressQuery = defineQuery<CampaignProgress>('campaignProgress');

export * from './template-test.contracts.ts';
export * from './journey.contracts.ts';
export * from './repermission.contracts.ts';
export * from './art14.contracts.ts';
export * from './journey-trigger.contracts.ts';
export * from './lead.contracts.ts';
export * from './review.contracts.ts';
export * from './erasure.contracts.ts';
export * from './dsr.contracts.ts';
export * from './retention.contracts.ts';
