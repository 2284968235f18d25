import { ApplicationFailure, condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import {
  dsrStateQuery,
  dsrUpdatedSignal,
  ZDsrWorkflowInput,
  type DsrWorkflowInput,
  type DsrWorkflowOutcome,
  type DsrWorkflowState,
} from './dsr.contracts.ts';

const { readDsrSchedule, lapseDsrVerification, notifyDpo } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

const { sendDsrVerification, sendDsrNotices, sendDsrExtensionNotice, finishDsrRequest } = proxyActivities<Activities>({
  // Mail over a pooled connection; a slow SMTP server gets time, a dead one a retry.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
});

const DAY_MS = 86_400_000;

interface Reminder {
  at: number;
  kind: 'dsr_due' | 'dsr_overdue';
  dedupeKey: string;
}

/**
 * One data-subject request from intake to its close (Art. 12(3) GDPR: one month, extendable by
 * two, the person told of an extension and why). A web form request first mails its verification link and waits for the click until the
 * link expires; then the DPO is told of the request, reminded the configured number of days
 * before the due date and once it has passed. Every change (a verification, an extension, Art. 19
 * notices recorded, the close) arrives as `dsrUpdated`, after which the workflow reads the
 * request again: the due date it plans with is always the one in force. IDs and times only.
 */
export async function dataSubjectRequestWorkflow(rawInput: DsrWorkflowInput): Promise<DsrWorkflowOutcome> {
  const parsed = ZDsrWorkflowInput.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid data-subject request input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      'InvalidInput',
    );
  }
  const { requestId, reminderDays } = parsed.data;
  let updated = false;
  setHandler(dsrUpdatedSignal, () => {
    updated = true;
  });
  const state: DsrWorkflowState = { phase: 'verifying', effectiveDueAt: null, nextReminderAt: null, reminders: 0 };
  setHandler(dsrStateQuery, () => state);

  let schedule = await readDsrSchedule({ requestId });
  if (schedule === null) return { outcome: 'request_gone' };

  if (schedule.status === 'awaiting_verification') {
    await sendDsrVerification({ requestId });
    for (;;) {
      const remaining = Date.parse(schedule.verificationDeadline ?? new Date(Date.now()).toISOString()) - Date.now();
      if (remaining <= 0 || !(await condition(() => updated, remaining))) {
        if ((await lapseDsrVerification({ requestId })) === 'lapsed') {
          state.phase = 'closed';
          return { outcome: 'verification_lapsed' };
        }
      }
      updated = false;
      schedule = await readDsrSchedule({ requestId });
      if (schedule === null) return { outcome: 'request_gone' };
      if (schedule.status !== 'awaiting_verification') break;
    }
  }

  state.phase = 'open';
  if (!schedule.isClosed) {
    await notifyDpo({
      kind: 'dsr_received',
      subjectType: 'data_subject_request',
      subjectId: requestId,
      dueAt: schedule.effectiveDueAt,
      dedupeKey: `dsr_received:${requestId}`,
    });
  }

  // Reminders already given in this run; the inbox's dedupe key makes a repeat harmless anyway.
  const given = new Set<string>();
  while (!schedule.isClosed) {
    if (schedule.pendingNotices > 0) await sendDsrNotices({ requestId });
    // The person is told of an extension and its reason (Art. 12(3)); requests whose histories
    // predate this step replay without it.
    if (schedule.extensionNoticePending === true && patched('dsr-extension-notice')) {
      if ((await sendDsrExtensionNotice({ requestId })) === 'no_address') {
        await notifyDpo({
          kind: 'dsr_extension_untold',
          subjectType: 'data_subject_request',
          subjectId: requestId,
          dueAt: schedule.effectiveDueAt,
          dedupeKey: `dsr_extension_untold:${requestId}:${schedule.effectiveDueAt}`,
        });
      }
    }
    const due = Date.parse(schedule.effectiveDueAt);
    state.effectiveDueAt = schedule.effectiveDueAt;
    const now = Date.now();
    const plan: Reminder[] = [
      ...reminderDays.map((days) => ({
        at: due - days * DAY_MS,
        kind: 'dsr_due' as const,
        dedupeKey: `dsr_due:${requestId}:${schedule?.effectiveDueAt}:${days}d`,
      })),
      { at: due, kind: 'dsr_overdue' as const, dedupeKey: `dsr_overdue:${requestId}:${schedule.effectiveDueAt}` },
    ]
      // A reminder whose day has passed is not given late; the overdue notice always is.
      .filter((r) => !given.has(r.dedupeKey) && (r.at > now || r.kind === 'dsr_overdue'))
      .sort((a, b) => a.at - b.at);
    const next = plan[0];
    state.nextReminderAt = next ? new Date(next.at).toISOString() : null;
    if (next === undefined) {
      await condition(() => updated);
    } else {
      const wait = next.at - now;
      const isDue = wait <= 0 || !(await condition(() => updated, wait));
      if (isDue) {
        await notifyDpo({
          kind: next.kind,
          subjectType: 'data_subject_request',
          subjectId: requestId,
          dueAt: schedule.effectiveDueAt,
          dedupeKey: next.dedupeKey,
          // A missed statutory deadline goes to the administrators too.
          escalate: next.kind === 'dsr_overdue',
        });
        given.add(next.dedupeKey);
        state.reminders++;
      }
    }
    updated = false;
    schedule = await readDsrSchedule({ requestId });
    if (schedule === null) return { outcome: 'request_gone' };
  }

  state.phase = 'closed';
  if (schedule.pendingNotices > 0) await sendDsrNotices({ requestId });
  await finishDsrRequest({ requestId });
  return { outcome: 'closed', status: schedule.status === 'rejected' ? 'rejected' : 'completed', reminders: state.reminders };
}
