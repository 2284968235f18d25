import { consentAt, decide } from '@zweck/policy';
import { ApplicationFailure, condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import { consentChangedSignal, welcomeIdempotencyKey, ZWelcomeInput, type WelcomeInput, type WelcomeOutcome } from './contracts.ts';

const { loadDecisionFacts, recordDecision, expirePendingConsent } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

const { sendWelcomeMail, sendConsentConfirmation } = proxyActivities<Activities>({
  // One message over a pooled connection; a slow SMTP server gets time, a dead one a retry.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
});

/**
 * The welcome mail after a contact is saved or subscribes. The workflow asks the policy first (to
 * skip early and record why); the activity asks again against a fresh read right before sending,
 * so that a withdrawal landing in between wins (DESIGN.md rule 3). Where the only obstacle is a
 * missing double opt-in, it sends the confirmation request, waits for the confirmation up to the
 * purpose's deadline, and either lets the pending consent expire or goes on to the welcome mail.
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
  let changed = false;
  setHandler(consentChangedSignal, () => {
    changed = true;
  });

  const ask = async () => {
    const facts = await loadDecisionFacts({ contactId: input.contactId, purposeId: input.purposeId });
    if (facts === null) return null;
    const decision = decide({
      subject: facts.subject,
      purpose: facts.purpose,
      channel: input.channel,
      action: 'send',
      // Date.now() in a workflow is the workflow task's time: deterministic on replay.
      now: new Date(Date.now()).toISOString(),
    });
    await recordDecision({ contactId: input.contactId, decision, decidedBy: `workflow:${workflowInfo().workflowId}` });
    return { facts, decision };
  };

  let asked = await ask();
  if (asked === null) return { outcome: 'contact_gone' };
  const onlyDoubleOptInMissing =
    !asked.decision.allowed && asked.decision.reasons.length === 1 && asked.decision.reasons[0].code === 'DOUBLE_OPT_IN_PENDING';
  // Histories recorded before double opt-in existed end with the skip below; patched() keeps them replayable.
  if (onlyDoubleOptInMissing && patched('double-opt-in')) {
    const now = Date.now();
    const grantedAt = consentAt(asked.facts.subject.consents, input.purposeId, input.channel, new Date(now).toISOString()).grantedAt;
    if (grantedAt === null) return { outcome: 'skipped', reasonCodes: ['DOUBLE_OPT_IN_PENDING'], decidedBy: 'workflow' };
    const waitMs = asked.facts.doubleOptInDeadlineHours * 3_600_000;
    const request = await sendConsentConfirmation({
      contactId: input.contactId,
      purposeId: input.purposeId,
      channel: input.channel,
      grantedAt,
      deadline: new Date(now + waitMs).toISOString(),
    });
    if (request.outcome === 'failed') return request;
    if (request.outcome === 'skipped' && !request.reasonCodes.includes('NOTHING_TO_CONFIRM')) return request;
    // NOTHING_TO_CONFIRM: the grant changed meanwhile (confirmed, withdrawn, replaced); ask again at once.
    let waiting = request.outcome === 'sent';
    const deadline = now + waitMs;
    while (waiting) {
      // Woken by any change of the person's consent; a change that leaves the grant pending waits on.
      if (!(await condition(() => changed, Math.max(deadline - Date.now(), 0)))) {
        await expirePendingConsent({ contactId: input.contactId, purposeId: input.purposeId, channel: input.channel, grantedAt });
        return { outcome: 'confirmation_expired' };
      }
      changed = false;
      asked = await ask();
      if (asked === null) return { outcome: 'contact_gone' };
      waiting =
        !asked.decision.allowed && asked.decision.reasons.length === 1 && asked.decision.reasons[0].code === 'DOUBLE_OPT_IN_PENDING';
    }
    if (request.outcome !== 'sent') {
      asked = await ask();
      if (asked === null) return { outcome: 'contact_gone' };
    }
  }
  if (!asked.decision.allowed) {
    return { outcome: 'skipped', reasonCodes: asked.decision.reasons.map((r) => r.code), decidedBy: 'workflow' };
  }

  return sendWelcomeMail({
    contactId: input.contactId,
    purposeId: input.purposeId,
    channel: input.channel,
    idempotencyKey: welcomeIdempotencyKey(input.contactId, input.purposeId),
  });
}
