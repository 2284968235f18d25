import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { reviewWorkflow } from '@zweck/workflows';
import { reviewDoneSignal, reviewSnoozedSignal, reviewUpdatedSignal, reviewWorkflowId, TASK_QUEUE } from '@zweck/workflows/contracts';

/** Start a review's workflow; already running counts as success (STYLE.md principle 11). IDs only. */
export async function startReviewWorkflow(
  temporal: Client,
  reviewId: string,
  taskQueue: string = TASK_QUEUE,
): Promise<'started' | 'already_started'> {
  try {
    await temporal.workflow.start<typeof reviewWorkflow>('reviewWorkflow', {
      taskQueue,
      workflowId: reviewWorkflowId(reviewId),
      workflowIdConflictPolicy: 'FAIL',
      args: [{ version: 1, reviewId }],
    });
    return 'started';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'already_started';
    throw error;
  }
}

export type ReviewChange = { kind: 'done' } | { kind: 'snoozed'; until: string } | { kind: 'updated' };

/**
 * Tell a review's workflow what the API just wrote. Signal-with-start, so that a review whose
 * workflow is missing (seeded demo data, a terminated run) gets one that plans from the database.
 */
export async function signalReview(
  temporal: Client,
  reviewId: string,
  change: ReviewChange,
  taskQueue: string = TASK_QUEUE,
): Promise<void> {
  const options = {
    taskQueue,
    workflowId: reviewWorkflowId(reviewId),
    args: [{ version: 1 as const, reviewId }] as [{ version: 1; reviewId: string }],
  };
  switch (change.kind) {
    case 'done':
      await temporal.workflow.signalWithStart<typeof reviewWorkflow, [{ reviewId: string }]>('reviewWorkflow', {
        ...options,
        signal: reviewDoneSignal,
        signalArgs: [{ reviewId }],
      });
      return;
    case 'snoozed':
      await temporal.workflow.signalWithStart<typeof reviewWorkflow, [{ reviewId: string; until: string }]>('reviewWorkflow', {
        ...options,
        signal: reviewSnoozedSignal,
        signalArgs: [{ reviewId, until: change.until }],
      });
      return;
    case 'updated':
      await temporal.workflow.signalWithStart<typeof reviewWorkflow, [{ reviewId: string }]>('reviewWorkflow', {
        ...options,
        signal: reviewUpdatedSignal,
        signalArgs: [{ reviewId }],
      });
      return;
  }
}
