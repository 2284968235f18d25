import { defineSignal } from '@temporalio/workflow';
import { z } from 'zod';
import { ZChannel, ZPurposeId } from '@zweck/policy';

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
