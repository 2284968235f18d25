import type { retentionWorkflow } from '@zweck/workflows';
import { RETENTION_SCHEDULE_ID } from '@zweck/workflows/contracts';
import { ensureDailySchedule, type ScheduleConnection } from './daily-schedule.ts';

/**
 * The daily run of the deletion concept, at 02:00 UTC, before the working day, so that the DPO's
 * inbox holds the day's reminders and approvals when they start.
 */
export const ensureRetentionSchedule = (options: ScheduleConnection): Promise<'created' | 'exists'> =>
  ensureDailySchedule({
    ...options,
    defaultScheduleId: RETENTION_SCHEDULE_ID,
    hour: 2,
    comment: 'daily retention',
    workflowType: 'retentionWorkflow',
    args: [{ version: 1 }] satisfies Parameters<typeof retentionWorkflow>,
  });
