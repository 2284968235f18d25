import { ApplicationFailure, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import { decide } from '@zweck/policy';
import {
  handoffStateQuery,
  leadAnswerSignal,
  ZHandoffInput,
  type HandoffInput,
  type HandoffOutcome,
  type HandoffState,
  type LeadAnswer,
} from './lead.contracts.ts';

const { loadDecisionFacts, recordDecision, assignLead, settleLead } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

const { notifyLeadAssigned, escalateLead, notifyNoOwner } = proxyActivities<Activities>({
  // One staff mail over a pooled connection; a slow SMTP server gets time, a dead one a retry.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
});

const HOUR_MS = 3_600_000;

/**
 * Hand a lead to sales (DESIGN.md, Lead handoff): ask the policy (action `hand_off`) and record
 * the answer; the activity asks again against a fresh read right before it assigns an owner
 * (round robin or territory) and writes the lead with its due time. The rep is told by mail; when
 * the due time passes first, the manager is told and the lead keeps waiting. The rep's answer
 * (accept, or recycle with a reason code) arrives as a signal. IDs only in this history.
 */
export async function handoffWorkflow(rawInput: HandoffInput): Promise<HandoffOutcome> {
  const parsed = ZHandoffInput.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid handoff input: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`,
      'InvalidInput',
    );
  }
  const input = parsed.data;
  const { workflowId, runId } = workflowInfo();
  const state: HandoffState = { phase: 'deciding', leadId: null };
  const answers: LeadAnswer[] = [];
  setHandler(handoffStateQuery, () => state);
  setHandler(leadAnswerSignal, (answer) => {
    answers.push(answer);
  });

  const facts = await loadDecisionFacts({ contactId: input.contactId, purposeId: input.purposeId });
  if (facts === null) {
    state.phase = 'done';
    return { outcome: 'refused', reasonCodes: ['SUBJECT_ERASED'] };
  }
  const decision = decide({
    subject: facts.subject,
    purpose: facts.purpose,
    channel: input.channel,
    action: 'hand_off',
    // Date.now() in a workflow is the workflow task's time: deterministic on replay.
    now: new Date(Date.now()).toISOString(),
  });
  await recordDecision({ contactId: input.contactId, decision, decidedBy: `workflow:${workflowId}` });
  if (!decision.allowed) {
    state.phase = 'done';
    return { outcome: 'refused', reasonCodes: decision.reasons.map((r) => r.code) };
  }

  const assigned = await assignLead({
    contactId: input.contactId,
    purposeId: input.purposeId,
    channel: input.channel,
    trigger: input.trigger,
    workflowId,
    runId,
  });
  if (assigned.outcome === 'no_owner') {
    await notifyNoOwner({ contactId: input.contactId, workflowId, runId });
    state.phase = 'done';
    return { outcome: 'no_owner' };
  }
  if (assigned.outcome === 'refused') {
    state.phase = 'done';
    return { outcome: 'refused', reasonCodes: assigned.reasonCodes };
  }
  const { leadId, ownerId } = assigned;
  state.phase = 'waiting';
  state.leadId = leadId;
  await notifyLeadAssigned({ leadId });

  const answerFor = (): LeadAnswer | undefined => answers.find((a) => a.leadId === leadId);
  if (!(await condition(() => answerFor() !== undefined, assigned.dueHours * HOUR_MS))) {
    await escalateLead({ leadId });
    state.phase = 'escalated';
    await condition(() => answerFor() !== undefined);
  }
  const answer = answerFor();
  if (answer === undefined) throw ApplicationFailure.nonRetryable('no answer after the wait', 'Unreachable');
  const settled = await settleLead(
    answer.action === 'accept'
      ? { action: 'accept', leadId, userId: answer.userId }
      : { action: 'recycle', leadId, userId: answer.userId, reason: answer.reason },
  );
  state.phase = 'done';
  return { outcome: settled.status === 'recycled' ? 'recycled' : 'accepted', leadId, ownerId };
}
