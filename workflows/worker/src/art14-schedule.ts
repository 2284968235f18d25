import type { art14NoticeWorkflow } from '@zweck/workflows';
import { ART14_SCHEDULE_ID } from '@zweck/workflows/contracts';
import { ensureDailySchedule, type ScheduleConnection } from './daily-schedule.ts';

/**
 * The daily run of the Art. 14 duty clock, at 07:00 UTC, so that a person is informed within a day
 * of the import, well inside the month Art. 14(3)(a) allows.
 */
export const ensureArt14Schedule = (options: ScheduleConnection): Promise<'created' | 'exists'> =>
  ensureDailySchedule({
    ...options,
    defaultScheduleId: ART14_SCHEDULE_ID,
    hour: 7,
    comment: 'daily Art. 14 notices',
    workflowType: 'art14NoticeWorkflow',
    args: [{ version: 1 }] satisfies Parameters<typeof art14NoticeWorkflow>,
  });
