import { ApplicationFailure, continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import { ZRepermissionInput, type RepermissionInput, type RepermissionOutcome } from './repermission.contracts.ts';

const { findExpiringConsents, sendRepermissionBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

/** Continue as new before the history grows long; a batch is a handful of events. */
const HISTORY_LIMIT = 2_000;

/**
 * One daily run of re-permission: find grants that expire soon and were not asked about, ask in
 * batches until none is left. Each request is recorded by the activity before its mail goes out,
 * so a grant never comes back from the search and nobody is asked twice, whatever is retried.
 * Only IDs and counts pass through the history.
 */
export async function repermissionWorkflow(rawInput: RepermissionInput, carried?: RepermissionOutcome): Promise<RepermissionOutcome> {
  const parsed = ZRepermissionInput.safeParse(rawInput ?? { version: 1 });
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid re-permission input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      'InvalidInput',
    );
  }
  const { withinDays, batchSize } = parsed.data;
  const totals: RepermissionOutcome = carried ? { ...carried } : { sent: 0, skipped: 0, failed: 0 };
  for (;;) {
    const { grantEventIds } = await findExpiringConsents({ withinDays, limit: batchSize });
    if (grantEventIds.length === 0) break;
    const batch = await sendRepermissionBatch({ grantEventIds });
    totals.sent += batch.sent;
    totals.skipped += batch.skipped;
    totals.failed += batch.failed;
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_LIMIT) {
      await continueAsNew<typeof repermissionWorkflow>(parsed.data, totals);
    }
  }
  return totals;
}
