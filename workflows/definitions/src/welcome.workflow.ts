import { decide } from '@zweck/policy';
import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import { welcomeIdempotencyKey, ZWelcomeInput, type WelcomeInput, type WelcomeOutcome } from './contracts.ts';

const { loadDecisionFacts, recordDecision } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

const { sendWelcomeMail } = proxyActivities<Activities>({
  // One message over a pooled connection; a slow SMTP server gets time, a dead one a retry.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
});

/**
 * The welcome mail after a contact is saved. The workflow asks the policy first (to skip early
 * and record why); the activity asks again against a fresh read right before sending, so that a
 * withdrawal landing in between wins (DESIGN.md rule 3).
 */
export async function welcomeWorkflow(rawInput: WelcomeInput): Promise<WelcomeOutcome> {
  const parsed = ZWelcomeInput.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid welcome input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      'InvalidInput',
    );
  }
  const input = parsed.data;
  const facts = await loadDecisionFacts({ contactId: input.contactId, purposeId: input.purposeId });
  if (facts === null) return { outcome: 'contact_gone' };

  const decision = decide({
    subject: facts.subject,
    purpose: facts.purpose,
    channel: input.channel,
    action: 'send',
    // Date.now() in a workflow is the workflow task's time: deterministic on replay.
    now: new Date(Date.now()).toISOString(),
  });
  await recordDecision({ contactId: input.contactId, decision, decidedBy: `workflow:${workflowInfo().workflowId}` });
  if (!decision.allowed) {
    return { outcome: 'skipped', reasonCodes: decision.reasons.map((r) => r.code), decidedBy: 'workflow' };
  }

  return sendWelcomeMail({
    contactId: input.contactId,
    purposeId: input.purposeId,
    channel: input.channel,
    idempotencyKey: welcomeIdempotencyKey(input.contactId, input.purposeId),
  });
}
