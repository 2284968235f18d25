import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { createDataConverter, type KeyRing } from '@zweck/temporal-codec';

export interface ScheduleConnection {
  address: string;
  namespace: string;
  taskQueue: string;
  payloadKeys: KeyRing;
  scheduleId?: string;
}

/**
 * A daily Temporal Schedule, created idempotently when the worker starts: a second worker, or a
 * restart, finds it in place (`ScheduleAlreadyRunning`) and leaves it as it is. A run still going
 * when the next is due is not doubled (overlap SKIP); a day missed while the server was down is
 * caught up once (catch-up window of a day). The workflow ID is the schedule's ID.
 */
export async function ensureDailySchedule(
  options: ScheduleConnection & {
    defaultScheduleId: string;
    /** Hour of the day, UTC. */
    hour: number;
    comment: string;
    workflowType: string;
    /** The workflow's arguments; each caller checks them against its workflow's parameters (`satisfies`). */
    args: unknown[];
  },
): Promise<'created' | 'exists'> {
  const connection = await Connection.connect({ address: options.address });
  try {
    const client = new Client({ connection, namespace: options.namespace, dataConverter: createDataConverter(options.payloadKeys) });
    const scheduleId = options.scheduleId ?? options.defaultScheduleId;
    try {
      await client.schedule.create({
        scheduleId,
        spec: { calendars: [{ hour: options.hour, minute: 0, comment: options.comment }] },
        action: {
          type: 'startWorkflow',
          workflowType: options.workflowType,
          workflowId: scheduleId,
          taskQueue: options.taskQueue,
          args: options.args,
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
