import { ApplicationFailure, condition, continueAsNew, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import { journeyWorkflowId } from './journey.contracts.ts';
import {
  stopJourneyTriggerSignal,
  wakeJourneyTriggerSignal,
  ZJourneyTriggerInput,
  type JourneyTriggerInput,
  type JourneyTriggerOutcome,
} from './journey-trigger.contracts.ts';
import { isAlreadyStarted, type journeyWorkflow } from './journey.workflow.ts';

const { enrollJourneySegmentPage, finishJourneyEnrollment } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 20 },
});

/** Continue as new well before the history grows large (each child start adds a few events). */
const HISTORY_LIMIT = 4_000;

/**
 * The trigger of a segment-entry journey. Each pass pages the segment's members in keyset pages;
 * an activity enrols a page's new members (rows in the database, one active per journey and
 * contact) and this workflow starts one journey workflow per enrolment as an abandoned child, so
 * that the enrolments outlive the trigger. Between passes it sleeps; publishing wakes it, pausing
 * the journey ends it. Only IDs pass through the history.
 */
export async function journeySegmentTriggerWorkflow(rawInput: JourneyTriggerInput): Promise<JourneyTriggerOutcome> {
  const parsed = ZJourneyTriggerInput.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid journey trigger input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      'InvalidInput',
    );
  }
  const input = parsed.data;
  let woken = false;
  let stopped = false;
  setHandler(wakeJourneyTriggerSignal, () => {
    woken = true;
  });
  setHandler(stopJourneyTriggerSignal, () => {
    stopped = true;
  });

  let cursor: string | null = input.cursor ?? null;
  let enrolled = 0;
  for (;;) {
    if (stopped) return { outcome: 'stopped', reason: 'stop_requested', enrolled };
    const page = await enrollJourneySegmentPage({ journeyId: input.journeyId, afterContactId: cursor, limit: input.pageSize });
    if (page.state !== 'enrolled') return { outcome: 'stopped', reason: page.state, enrolled };

    // The page's journeys, started together: a bounded batch (pageSize) per activity.
    await Promise.all(
      page.enrolled.map(async ({ enrollmentId, contactId }) => {
        try {
          await startChild<typeof journeyWorkflow>('journeyWorkflow', {
            workflowId: journeyWorkflowId(input.journeyId, contactId),
            args: [{ version: 1, enrollmentId, journeyVersionId: page.journeyVersionId, contactId }],
            parentClosePolicy: 'ABANDON',
            workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          });
        } catch (error) {
          if (!isAlreadyStarted(error)) throw error;
          // The previous enrolment's workflow is still closing: this row would never run.
          await finishJourneyEnrollment({ enrollmentId, reason: 'cancelled', stepId: null });
        }
      }),
    );
    enrolled += page.enrolled.length;
    cursor = page.done ? null : page.lastContactId;

    if (page.done) {
      // The pass is over: sleep until the next one (or until publishing wakes the trigger).
      woken = false;
      await condition(() => woken || stopped, input.intervalMinutes * 60_000);
      if (stopped) continue;
      // A fresh history for every pass.
      await continueAsNew<typeof journeySegmentTriggerWorkflow>({ ...input, cursor: null });
    }
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_LIMIT) {
      await continueAsNew<typeof journeySegmentTriggerWorkflow>({ ...input, cursor });
    }
  }
}
