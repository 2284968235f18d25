import { ApplicationFailure, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import {
  campaignProgressQuery,
  cancelCampaignSignal,
  pauseCampaignSignal,
  resumeCampaignSignal,
  ZCampaignInput,
  type CampaignInput,
  type CampaignOutcome,
  type CampaignProgress,
  type CampaignState,
} from './contracts.ts';

const { startCampaign, resolveRecipients, setCampaignStatus, finishCampaign } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 20 },
});

const { sendCampaignBatch } = proxyActivities<Activities>({
  // A page of recipients: a bounded number of messages in flight over a pooled transport. The
  // activity heartbeats about once a second while it works, so a dead worker is noticed within the
  // heartbeat timeout and the batch resumes elsewhere (the mail log keeps every message once).
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 50 },
});

/** Recipients resolved per activity, and sent per batch. */
export const RESOLVE_PAGE = 2_000;
export const SEND_BATCH = 500;
/** Continue as new well before the history grows large: a million recipients never make one huge history. */
const HISTORY_LIMIT = 4_000;

/**
 * A broadcast campaign. It resolves the segment in pages into one outcome row per recipient
 * (the database's key makes it exactly one), then sends in batched activities: each asks the
 * policy for every recipient against a fresh read right before sending (DESIGN.md rules 3, 4),
 * sends at most once per (campaign, contact) with a deterministic Message-ID, and records the
 * outcome. Pause, resume and cancel arrive as signals; the progress is a query. Only IDs and
 * counts pass through the history.
 */
export async function campaignWorkflow(rawInput: CampaignInput): Promise<CampaignOutcome> {
  const parsed = ZCampaignInput.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid campaign input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      'InvalidInput',
    );
  }
  const { campaignId, tuning } = parsed.data;
  const resolvePage = tuning?.resolvePage ?? RESOLVE_PAGE;
  const sendBatch = tuning?.sendBatch ?? SEND_BATCH;
  const state: CampaignState = parsed.data.state ?? {
    phase: 'resolving',
    cursor: null,
    totals: { recipients: 0, sent: 0, skipped: 0, failed: 0 },
    paused: false,
  };
  let cancelled = false;
  let status: CampaignProgress['status'] = parsed.data.state ? 'running' : 'waiting';
  let refusedFor: string[] = [];

  setHandler(pauseCampaignSignal, () => {
    state.paused = true;
  });
  setHandler(resumeCampaignSignal, () => {
    state.paused = false;
  });
  setHandler(cancelCampaignSignal, () => {
    cancelled = true;
  });
  setHandler(campaignProgressQuery, () => ({
    ...state,
    totals: { ...state.totals },
    status: cancelled && status !== 'cancelled' ? 'cancelling' : state.paused && status === 'running' ? 'paused' : status,
    refusedFor,
  }));

  if (!parsed.data.state) {
    const start = await startCampaign({ campaignId });
    if (!start.ok) {
      status = 'refused';
      refusedFor = start.reasonCodes;
      return { outcome: 'refused', reasonCodes: start.reasonCodes };
    }
    if (start.scheduledAt !== null) {
      const wait = Date.parse(start.scheduledAt) - Date.now();
      // A cancel before the scheduled time ends the wait at once.
      if (wait > 0) await condition(() => cancelled, wait);
    }
  }
  // Cancelled while waiting for the schedule: the campaign never ran, so it never shows as started.
  let throttlePerMinute: number | null = null;
  if (!cancelled) {
    status = 'running';
    ({ throttlePerMinute } = await setCampaignStatus({ campaignId, status: 'running' }));
  }

  /** Wait while paused; the database shows the pause to the UI. Returns false when cancelled. */
  const mayGoOn = async (): Promise<boolean> => {
    if (state.paused && !cancelled) {
      await setCampaignStatus({ campaignId, status: 'paused' });
      await condition(() => !state.paused || cancelled);
      if (!cancelled) await setCampaignStatus({ campaignId, status: 'running' });
    }
    return !cancelled;
  };

  const goOnAsNew = (): Promise<never> =>
    continueAsNew<typeof campaignWorkflow>({ version: 1, campaignId, state, ...(tuning ? { tuning } : {}) });
  const historyIsLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_LIMIT;

  while (state.phase === 'resolving' && !cancelled) {
    if (!(await mayGoOn())) break;
    const page = await resolveRecipients({ campaignId, afterContactId: state.cursor, limit: resolvePage });
    state.totals.recipients += page.added;
    state.cursor = page.lastContactId ?? state.cursor;
    if (page.done) state.phase = 'sending';
    else if (historyIsLong()) await goOnAsNew();
  }

  while (state.phase === 'sending' && !cancelled) {
    if (!(await mayGoOn())) break;
    const startedAt = Date.now();
    const limit = throttlePerMinute === null ? sendBatch : Math.max(1, Math.min(sendBatch, throttlePerMinute));
    const batch = await sendCampaignBatch({ campaignId, limit });
    state.totals.sent += batch.sent;
    state.totals.skipped += batch.skipped;
    state.totals.failed += batch.failed;
    if (batch.remaining === 0) break;
    if (throttlePerMinute !== null) {
      // At most `throttlePerMinute` messages a minute: wait out the rest of this batch's share.
      const due = ((batch.sent + batch.failed) / throttlePerMinute) * 60_000 - (Date.now() - startedAt);
      if (due > 0) await condition(() => cancelled, due);
    }
    if (historyIsLong()) await goOnAsNew();
  }

  const outcome = cancelled ? 'cancelled' : 'completed';
  const finished = await finishCampaign({ campaignId, outcome });
  state.totals.skipped += finished.skippedAsCancelled;
  status = outcome;
  return { outcome, totals: { ...state.totals } };
}
