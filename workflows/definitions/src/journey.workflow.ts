import {
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import { durationMs, type JourneyEvent, type JourneyExitReason, type JourneyStep } from '@zweck/journeys';
import { decide, type Action, type Channel } from '@zweck/policy';
import { consentChangedSignal } from './contracts.ts';
import {
  cancelJourneySignal,
  journeyEventSignal,
  journeyPositionQuery,
  journeyStepIdempotencyKey,
  ZJourneyInput,
  type JourneyEventPayload,
  type JourneyInput,
  type JourneyOutcome,
  type JourneyPosition,
} from './journey.contracts.ts';
import type { handoffWorkflow } from './handoff.workflow.ts';
import { handoffWorkflowId, SALES_FOLLOW_UP_PURPOSE_ID, type HandoffInput } from './lead.contracts.ts';

const {
  loadJourneyDefinition,
  enterJourneyStep,
  checkJourneyExit,
  evaluateJourneyBranch,
  finishJourneyEnrollment,
  loadDecisionFacts,
  recordDecision,
} = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 20 },
});

const { sendJourneyMail } = proxyActivities<Activities>({
  // One message over a pooled connection; a slow SMTP server gets time, a dead one a retry.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
});

/** The leads package's activity (contract in lead.contracts.ts): decides under the step's purpose, records, applies. */
const { applyScoreChange } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 20 },
});

/** Continue as new well before the history grows large: a journey that loops never makes one huge history. */
const HISTORY_LIMIT = 2_000;
/** Events kept for a waiting step; older ones cannot match a wait that begins later anyway. */
const EVENT_BUFFER = 50;

/** Does the event the contact did match what the waiting step listens for, and did it happen after the wait began? */
const matches = (wanted: JourneyEvent, event: JourneyEventPayload, since: number): boolean =>
  Date.parse(event.occurredAt) >= since &&
  (wanted.type === 'interaction'
    ? event.type === 'interaction' && event.kind === wanted.kind
    : event.type === 'event' && event.name === wanted.name);

/**
 * A child start refused because a workflow with that ID runs. The SDK marks its error class by
 * name (it lives in @temporalio/common, which workflow code does not import).
 */
export const isAlreadyStarted = (error: unknown): boolean =>
  error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError';

type Waited = 'done' | 'timeout' | Exclude<JourneyExitReason, 'completed' | 'exit_step'>;

/**
 * A nurture journey for one enrolled contact. It reads the version it enrolled in (IDs and the
 * marketing structure, never personal data) and interprets its steps: send, wait, wait for an
 * event, branch, score, hand off, exit. Before every step, and whenever the person's consent
 * changes, the exit rules are checked against a fresh read (Art. 17, 18, 21 GDPR, withdrawal,
 * conversion). Steps that send, score or hand off ask the policy first (recorded); the activity that acts
 * asks again right before acting (DESIGN.md rule 3). The enrolment row follows the position.
 */
export async function journeyWorkflow(rawInput: JourneyInput): Promise<JourneyOutcome> {
  const parsed = ZJourneyInput.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid journey input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      'InvalidInput',
    );
  }
  const input = parsed.data;
  const { enrollmentId, contactId } = input;
  let cancelled = false;
  let consentChanged = false;
  const events: JourneyEventPayload[] = [];
  let position: JourneyPosition = { stepId: null, waitingUntil: null };

  setHandler(journeyEventSignal, (event) => {
    events.push(event);
    if (events.length > EVENT_BUFFER) events.shift();
  });
  setHandler(cancelJourneySignal, () => {
    cancelled = true;
  });
  setHandler(consentChangedSignal, () => {
    consentChanged = true;
  });
  setHandler(journeyPositionQuery, () => ({ ...position }));

  const finish = async (reason: JourneyExitReason, atStepId: string | null): Promise<JourneyOutcome> => {
    position = { stepId: null, waitingUntil: null };
    await finishJourneyEnrollment({ enrollmentId, reason, stepId: atStepId });
    return { outcome: 'exited', reason, atStepId };
  };

  const loaded = await loadJourneyDefinition({ enrollmentId, journeyVersionId: input.journeyVersionId });
  // Ended by staff before it began (or its row is gone): nothing to do.
  if (!loaded.active) return { outcome: 'exited', reason: 'cancelled', atStepId: null };
  const definition = loaded.definition;
  const steps = new Map<string, JourneyStep>(definition.steps.map((s) => [s.id, s]));
  const exitCheck = {
    enrollmentId,
    contactId,
    purposeId: definition.purposeId,
    conversionStages: definition.exitRules.conversion?.stages ?? [],
  };

  /** Wait up to `ms`, or until `until` holds; a consent change re-checks the exit rules, a cancel ends it. */
  const waitFor = async (ms: number, until: () => boolean = () => false): Promise<Waited> => {
    const deadline = Date.now() + ms;
    position = { ...position, waitingUntil: new Date(deadline).toISOString() };
    try {
      for (;;) {
        if (cancelled) return 'cancelled';
        if (until()) return 'done';
        if (consentChanged) {
          consentChanged = false;
          const { exit } = await checkJourneyExit(exitCheck);
          if (exit !== null) return exit;
          continue;
        }
        const left = deadline - Date.now();
        if (left <= 0) return 'timeout';
        await condition(() => cancelled || consentChanged || until(), left);
      }
    } finally {
      position = { ...position, waitingUntil: null };
    }
  };

  /** The workflow's own question before a step that acts (recorded); the acting activity asks again. */
  const ask = async (purposeId: string, channel: Channel | 'first', action: Action): Promise<'allowed' | 'denied' | 'gone'> => {
    const facts = await loadDecisionFacts({ contactId, purposeId });
    if (facts === null) return 'gone';
    // Consent to profiling is given per channel like every consent: on the purpose's first one, as applyScoreChange reads it.
    const asked = channel === 'first' ? facts.purpose.channels[0] : channel;
    if (asked === undefined) return 'denied';
    // Date.now() in a workflow is the workflow task's time: deterministic on replay.
    const decision = decide({
      subject: facts.subject,
      purpose: facts.purpose,
      channel: asked,
      action,
      now: new Date(Date.now()).toISOString(),
    });
    await recordDecision({ contactId, decision, decidedBy: `workflow:journey:${enrollmentId}` });
    return decision.allowed ? 'allowed' : 'denied';
  };

  /** Start the lead handoff; one runs per contact at a time, and one already running is fine. Not awaited. */
  const handOff = async (handoff: HandoffInput): Promise<void> => {
    try {
      await startChild<typeof handoffWorkflow>('handoffWorkflow', {
        workflowId: handoffWorkflowId(contactId),
        args: [handoff],
        parentClosePolicy: 'ABANDON',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
    } catch (error) {
      if (!isAlreadyStarted(error)) throw error;
    }
  };

  let stepId: string | null = input.resumeAt ?? definition.entryStepId;
  let lastStepId: string | null = null;
  let stepsThisRun = 0;
  while (stepId !== null) {
    // Cancelled while the previous step acted: it ends where the contact stood.
    if (cancelled) return finish('cancelled', lastStepId ?? stepId);
    // A journey that loops (wait, check, wait again) goes on in a fresh history, at the step it is about to take.
    if (
      stepsThisRun++ > 0 &&
      (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (input.historyLimit ?? HISTORY_LIMIT))
    ) {
      await continueAsNew<typeof journeyWorkflow>({ ...input, resumeAt: stepId });
    }
    const step = steps.get(stepId);
    // A published version is validated; a dangling reference ends the enrolment rather than failing it.
    if (!step) return finish('cancelled', stepId);
    // The step begins now, before its position is written: whoever sees the position sees a later time.
    const stepBegan = Date.now();
    const entered = await enterJourneyStep({ ...exitCheck, stepId });
    if (entered.exit !== null) return finish(entered.exit, stepId);
    consentChanged = false; // the check just ran against a fresh read
    position = { stepId, waitingUntil: null };
    lastStepId = stepId;

    switch (step.type) {
      case 'send': {
        const asked = await ask(step.purposeId, step.channel, 'send');
        if (asked === 'gone') return finish('erased', stepId);
        if (asked === 'allowed') {
          await sendJourneyMail({
            enrollmentId,
            stepId,
            contactId,
            templateId: step.templateId,
            purposeId: step.purposeId,
            channel: step.channel,
            track: step.track,
            idempotencyKey: journeyStepIdempotencyKey(enrollmentId, stepId),
          });
        }
        stepId = step.next;
        break;
      }
      case 'wait': {
        const waited = await waitFor(durationMs(step.duration));
        if (waited !== 'timeout' && waited !== 'done') return finish(waited, stepId);
        stepId = step.next;
        break;
      }
      case 'wait_event': {
        // Only what the contact does after the step began counts.
        const wanted = step.event;
        const waited = await waitFor(durationMs(step.timeout), () => events.some((e) => matches(wanted, e, stepBegan)));
        if (waited === 'done') stepId = step.onEvent;
        else if (waited === 'timeout') stepId = step.onTimeout;
        else return finish(waited, stepId);
        break;
      }
      case 'branch': {
        const { matched } = await evaluateJourneyBranch({ contactId, match: step.match, conditions: step.conditions });
        stepId = matched ? step.then : step.else;
        break;
      }
      case 'score': {
        // The workflow asks first (action `profile`, recorded), like every step that acts; applyScoreChange asks
        // again against a fresh read and records its own answer. Journeys that reached a score step before this
        // question existed replay without it (the patch).
        if (patched('journey-score-step-asks-policy')) {
          const asked = await ask(step.purposeId, 'first', 'profile');
          if (asked === 'gone') return finish('erased', stepId);
          if (asked === 'denied') {
            stepId = step.next;
            break;
          }
        }
        const result = await applyScoreChange({
          contactId,
          purposeId: step.purposeId,
          points: step.points,
          reason: step.reason,
          source: { kind: 'journey', enrollmentId, stepId },
        });
        if (result.applied && result.crossedThreshold) {
          await handOff({
            version: 1,
            contactId,
            // The lead goes to sales under sales follow-up; the handoff workflow asks the policy for it.
            purposeId: SALES_FOLLOW_UP_PURPOSE_ID,
            channel: 'email',
            trigger: { kind: 'threshold', scoreEventId: result.scoreEventId },
          });
        }
        stepId = step.next;
        break;
      }
      case 'handoff': {
        const asked = await ask(step.purposeId, step.channel, 'hand_off');
        if (asked === 'gone') return finish('erased', stepId);
        if (asked === 'allowed') {
          await handOff({
            version: 1,
            contactId,
            purposeId: step.purposeId,
            channel: step.channel,
            trigger: { kind: 'journey', enrollmentId, stepId },
          });
        }
        stepId = step.next;
        break;
      }
      case 'exit':
        return finish('exit_step', stepId);
    }
  }
  return finish('completed', lastStepId);
}
