import { decide } from '@zweck/policy';
import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import { DATA_SUBJECT_RIGHTS_PURPOSE_ID, ZConsentReceiptInput, type ConsentReceiptInput, type ConsentReceiptOutcome } from './contracts.ts';

const { loadDecisionFacts, recordDecision } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

const { sendConsentReceipt } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
});

/**
 * Mail the person a copy of their consent records (Art. 7(1), 15(3) GDPR). Transactional mail
 * under the purpose `data_subject_rights` (legal obligation): the workflow asks the policy first
 * and records the answer; the activity asks again against a fresh read right before sending
 * (DESIGN.md rule 3). The workflow ID is the idempotency key of the one message it may send.
 */
export async function consentReceiptWorkflow(rawInput: ConsentReceiptInput): Promise<ConsentReceiptOutcome> {
  const parsed = ZConsentReceiptInput.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid consent receipt input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      'InvalidInput',
    );
  }
  const input = parsed.data;
  const { workflowId } = workflowInfo();

  const facts = await loadDecisionFacts({ contactId: input.contactId, purposeId: DATA_SUBJECT_RIGHTS_PURPOSE_ID });
  if (facts === null) return { outcome: 'contact_gone' };
  const decision = decide({
    subject: facts.subject,
    purpose: facts.purpose,
    channel: 'email',
    action: 'send',
    now: new Date(Date.now()).toISOString(),
  });
  await recordDecision({ contactId: input.contactId, decision, decidedBy: `workflow:${workflowId}` });
  if (!decision.allowed) return { outcome: 'skipped', reasonCodes: decision.reasons.map((r) => r.code), decidedBy: 'workflow' };

  return sendConsentReceipt({
    contactId: input.contactId,
    consentEventIds: input.consentEventIds,
    requestedBy: input.requestedBy,
    idempotencyKey: workflowId,
  });
}
