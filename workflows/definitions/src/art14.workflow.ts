import { ApplicationFailure, continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import { ZArt14NoticeInput, type Art14NoticeInput, type Art14NoticeOutcome } from './art14.contracts.ts';

const { findOpenArt14Duties, sendArt14NoticeBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

/** Continue as new before the history grows long; a batch is a handful of events. */
const HISTORY_LIMIT = 2_000;

/**
 * One daily run of the Art. 14 duty clock: find open duties nobody handled yet and handle them in
 * batches until none is left. The activity marks each duty notified (the notice went out) or
 * reminded (the DPO was told), so a duty never comes back from the search and nobody is informed
 * twice, whatever is retried. Only IDs and counts pass through the history.
 */
export async function art14NoticeWorkflow(rawInput: Art14NoticeInput, carried?: Art14NoticeOutcome): Promise<Art14NoticeOutcome> {
  const parsed = ZArt14NoticeInput.safeParse(rawInput ?? { version: 1 });
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid Art. 14 run input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      'InvalidInput',
    );
  }
  const totals: Art14NoticeOutcome = carried ? { ...carried } : { notified: 0, remindedDpo: 0, skipped: 0 };
  for (;;) {
    const { dutyIds } = await findOpenArt14Duties({ limit: parsed.data.batchSize });
    if (dutyIds.length === 0) break;
    const batch = await sendArt14NoticeBatch({ dutyIds });
    totals.notified += batch.notified;
    totals.remindedDpo += batch.remindedDpo;
    totals.skipped += batch.skipped;
    // A batch that handled nothing would find the same duties again: stop, the next run retries.
    if (batch.notified + batch.remindedDpo + batch.skipped === 0) break;
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_LIMIT) {
      await continueAsNew<typeof art14NoticeWorkflow>(parsed.data, totals);
    }
  }
  return totals;
}
