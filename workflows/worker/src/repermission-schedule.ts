import type { repermissionWorkflow } from '@zweck/workflows';
import { REPERMISSION_SCHEDULE_ID } from '@zweck/workflows/contracts';
import { ensureDailySchedule, type ScheduleConnection } from './daily-schedule.ts';

/** The daily re-permission run, at 06:00 UTC: asks those whose consent expires within `withinDays` to renew it. */
export const ensureRepermissionSchedule = (options: ScheduleConnection & { withinDays: number }): Promise<'created' | 'exists'> =>
  ensureDailySchedule({
    ...options,
    defaultScheduleId: REPERMISSION_SCHEDULE_ID,
    hour: 6,
    comment: 'daily re-permission',
    workflowType: 'repermissionWorkflow',
    args: [{ version: 1, withinDays: options.withinDays }] satisfies Parameters<typeof repermissionWorkflow>,
  });
