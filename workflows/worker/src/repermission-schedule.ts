import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { createDataConverter, type KeyRing } from '@zweck/temporal-codec';
import type { repermissionWorkflow } from '@zweck/workflows';
import { REPERMISSION_SCHEDULE_ID } from '@zweck/workflows/contracts';

/**
 * The daily Temporal Schedule of re-permission, created idempotently when the worker starts: a
 * second worker, or a restart, finds it in place (`ScheduleAlreadyRunning`) and leaves it as it
 * is. Runs at 06:00 UTC; a run still going when the next is due is not doubled (overlap SKIP).
 */
export async function ensureRepermissionSchedule(options: {
  address: string;
  namespace: string;
  taskQueue: string;
  payloadKeys: KeyRing;
  withinDays: number;
  scheduleId?: string;
}): Promise<'created' | 'exists'> {
  const connection = await Connection.connect({ address: options.address });
  try {
    const client = new Client({ connection, namespace: options.namespace, dataConverter: createDataConverter(options.payloadKeys) });
    const scheduleId = options.scheduleId ?? REPERMISSION_SCHEDULE_ID;
    try {
      await client.schedule.create<typeof repermissionWorkflow>({
        scheduleId,
        spec: { calendars: [{ hour: 6, minute: 0, comment: 'daily re-permission' }] },
        action: {
          type: 'startWorkflow',
          workflowType: 'repermissionWorkflow',
          workflowId: scheduleId,
          taskQueue: options.taskQueue,
          args: [{ version: 1, withinDays: options.withinDays }],
        },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      });
      return 'created';
    } catch (error) {
      if (error instanceof ScheduleAlreadyRunning) return 'exists';
      throw error;
    }
  } finally {
    await connection.close();
  }
}
