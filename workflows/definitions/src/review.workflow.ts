import { ApplicationFailure, condition, ParentClosePolicy, proxyActivities, setHandler, startChild } from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import {
  reviewDoneSignal,
  reviewSnoozedSignal,
  reviewStateQuery,
  reviewUpdatedSignal,
  reviewWorkflowId,
  ZReviewInput,
  type ReviewInput,
  type ReviewOutcome,
  type ReviewWorkflowState,
} from './review.contracts.ts';

const { loadReviewPlan, createNextReview } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

const { remindReview } = proxyActivities<Activities>({
  // A row, an inbox entry and a few staff mails over a pooled connection; a dead SMTP server gets retries.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
});

const DAY_MS = 86_400_000;

/**
 * One review ("Wiedervorlage"): remind the DPO `reminderLeadDays` before the due date, again
 * when the due date passed (overdue), and the admins too `escalateAfterDays` after that. A snooze
 * or an edit (signals from the API, which wrote the database first) moves the clock and starts the
 * reminders afresh; done ends the wait, and a recurring review's successor gets its own workflow.
 * The plan is read from the database, so this history holds IDs and dates only.
 */
export async function reviewWorkflow(rawInput: ReviewInput): Promise<ReviewOutcome> {
  const parsed = ZReviewInput.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid review input: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`,
      'InvalidInput',
    );
  }
  const { reviewId } = parsed.data;
  const state: ReviewWorkflowState = { dueOn: null, next: 'waiting' };
  let isDone = false;
  /** Bumped by every snooze or edit: the current plan is stale. */
  let changes = 0;
  setHandler(reviewStateQuery, () => state);
  setHandler(reviewDoneSignal, () => {
    isDone = true;
  });
  setHandler(reviewSnoozedSignal, () => {
    changes++;
  });
  setHandler(reviewUpdatedSignal, () => {
    changes++;
  });

  for (;;) {
    const seen = changes;
    const plan = await loadReviewPlan({ reviewId });
    if (plan === null) return { outcome: 'gone' };
    if (plan.status === 'done') break;
    state.dueOn = plan.dueOn;
    const due = Date.parse(`${plan.dueOn}T00:00:00.000Z`);
    // The reminder at the start of its day; overdue once the due day has passed.
    const overdueAt = due + DAY_MS;
    const stages = [
      { stage: 'review_due', at: due - plan.reminderLeadDays * DAY_MS },
      { stage: 'review_overdue', at: overdueAt },
      { stage: 'review_escalated', at: overdueAt + plan.escalateAfterDays * DAY_MS },
    ] as const;
    const interrupted = (): boolean => isDone || changes !== seen;

    for (let i = 0; i < stages.length && !interrupted(); i++) {
      const { stage, at } = stages[i]!;
      // A stage whose successor is already due is skipped: a review planned late says "overdue" once, not "due soon" too.
      const following = stages[i + 1];
      if (following && following.at <= Date.now()) continue;
      state.next = stage;
      const wait = at - Date.now();
      if (wait > 0 && (await condition(interrupted, wait))) break;
      await remindReview({ reviewId, stage, dueOn: plan.dueOn });
    }
    state.next = 'waiting';
    // After the escalation nothing more is sent; wait for done, a snooze or an edit.
    await condition(interrupted);
    if (isDone) break;
  }

  state.next = 'done';
  const { nextReviewId } = await createNextReview({ reviewId });
  if (nextReviewId !== null) {
    try {
      await startChild('reviewWorkflow', {
        workflowId: reviewWorkflowId(nextReviewId),
        args: [{ version: 1, reviewId: nextReviewId } satisfies ReviewInput],
        // The successor outlives this review's workflow, which ends now.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    } catch (error) {
      // Already started (a replayed done): that counts as success. @temporalio/common's error class
      // is not re-exported to workflow code, and this package imports nothing else; its name says it.
      if (!(error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError')) throw error;
    }
  }
  return { outcome: 'done', nextReviewId };
}
