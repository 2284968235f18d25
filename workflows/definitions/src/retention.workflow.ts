import {
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import { consentChangedSignal } from './contracts.ts';
import {
  retentionRunDecisionSignal,
  retentionRunWorkflowId,
  ZRetentionInput,
  ZRetentionRunInput,
  type RetentionInput,
  type RetentionOutcome,
  type RetentionRunInput,
  type RetentionRunResult,
} from './retention.contracts.ts';

const retry = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 } as const;

const {
  listRetentionPolicies,
  remindRetentionDue,
  planRetentionRun,
  openRetentionRun,
  loadRetentionRunDecision,
  prepareRetentionBatch,
  recordRetentionErasure,
  finishRetentionRun,
} = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry });

// The erasure reaches every store (database, mail log, Temporal): it gets the time it needs.
const { eraseContact } = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', retry });

/** Continue as new before the history grows long. */
const HISTORY_LIMIT = 4_000;

function invalid(what: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): never {
  throw ApplicationFailure.nonRetryable(
    `invalid ${what} input: ${issues.map((i) => i.path.join('.') || i.message).join(', ')}`,
    'InvalidInput',
  );
}

/**
 * The daily retention run (the Schedule `retention-daily`): per active policy, remind the DPO of
 * deadlines within the policy's lead time, then gather the contacts past theirs into a new run and
 * start its own workflow, which outlives this one (it may wait days for the DPO). Pages of IDs.
 */
export async function retentionWorkflow(rawInput: RetentionInput, carried?: RetentionOutcome): Promise<RetentionOutcome> {
  const parsed = ZRetentionInput.safeParse(rawInput ?? { version: 1 });
  if (!parsed.success) invalid('retention', parsed.error.issues);
  const input = parsed.data;
  const totals: RetentionOutcome = carried
    ? { ...carried, runsStarted: [...carried.runsStarted] }
    : { policies: 0, reminded: 0, noticesCreated: 0, runsStarted: [] };

  // One instant for the whole run: the workflow's clock (deterministic, and the test server's skipped time).
  const asOf = new Date(Date.now()).toISOString();
  const { policyIds } = await listRetentionPolicies();
  for (const policyId of policyIds) {
    if (input.afterPolicyId !== null && policyId <= input.afterPolicyId) continue;
    if (input.policyId !== null && policyId !== input.policyId) continue;
    totals.policies++;

    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof remindRetentionDue>> = await remindRetentionDue({
        policyId,
        asOf,
        after,
        limit: input.batchSize,
      });
      totals.reminded += page.reminded;
      totals.noticesCreated += page.noticesCreated;
      after = page.nextCursor;
    } while (after !== null);

    const runId = uuid4();
    let runItems = 0;
    do {
      const page: Awaited<ReturnType<typeof planRetentionRun>> = await planRetentionRun({
        policyId,
        runId,
        asOf,
        after,
        limit: input.batchSize,
      });
      runItems = page.runItems;
      after = page.nextCursor;
    } while (after !== null);

    if (runItems > 0) {
      await startChild<typeof retentionRunWorkflow>('retentionRunWorkflow', {
        workflowId: retentionRunWorkflowId(runId),
        args: [{ version: 1, runId }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      totals.runsStarted.push(runId);
    }

    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_LIMIT) {
      await continueAsNew<typeof retentionWorkflow>({ ...input, afterPolicyId: policyId }, totals);
    }
  }
  return totals;
}

/**
 * One run: wait for the DPO where the policy asks for approval (the API writes the decision, then
 * signals), then page through the items: a legal hold restricts (the contact's running journeys
 * hear of it and exit by their rules), the rest are erased or anonymized by the erasure activity
 * that reaches every store, each recorded with an audit entry. A rejection changes nothing.
 */
export async function retentionRunWorkflow(rawInput: RetentionRunInput, carried?: { after: string | null }): Promise<RetentionRunResult> {
  const parsed = ZRetentionRunInput.safeParse(rawInput);
  if (!parsed.success) invalid('retention run', parsed.error.issues);
  const input = parsed.data;

  let signalled = false;
  setHandler(retentionRunDecisionSignal, () => {
    signalled = true;
  });

  let run = carried === undefined ? await openRetentionRun({ runId: input.runId }) : await loadRetentionRunDecision({ runId: input.runId });
  while (run.status === 'pending_approval') {
    await condition(() => signalled);
    signalled = false;
    run = await loadRetentionRunDecision({ runId: input.runId });
  }
  if (run.status === 'rejected') return { outcome: 'rejected' };
  const { policyId } = run;

  let after = carried?.after ?? null;
  do {
    const batch = await prepareRetentionBatch({
      runId: input.runId,
      asOf: new Date(Date.now()).toISOString(),
      after,
      limit: input.batchSize,
    });
    // Restricted now: every running journey of the contact re-checks its exit rules (Art. 18 GDPR).
    await Promise.all(
      batch.journeyWorkflowIds.map(async (workflowId) => {
        try {
          await getExternalWorkflowHandle(workflowId).signal(consentChangedSignal);
        } catch {
          // Closed since: nothing left to stop.
        }
      }),
    );
    for (let i = 0; i < batch.erase.length; i += input.eraseConcurrency) {
      await Promise.all(
        batch.erase.slice(i, i + input.eraseConcurrency).map(async ({ contactId, mode }) => {
          const outcome = await eraseContact({
            contactId,
            mode,
            cause: { kind: 'retention', policyId, runId: input.runId },
            actor: 'system:retention',
          });
          await recordRetentionErasure({ runId: input.runId, outcome });
        }),
      );
    }
    after = batch.nextCursor;
    if (after !== null && (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_LIMIT)) {
      await continueAsNew<typeof retentionRunWorkflow>(input, { after });
    }
  } while (after !== null);

  const counts = await finishRetentionRun({ runId: input.runId });
  return { outcome: 'done', ...counts };
}
