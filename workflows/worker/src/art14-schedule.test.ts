import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureArt14Schedule } from './art14-schedule.ts';

const address = (): string => {
  const value = process.env.TEMPORAL_ADDRESS;
  if (!value) throw new Error('TEMPORAL_ADDRESS is not set: run the tests through infra/test.sh (it starts Temporal)');
  return value;
};

describe('the daily Art. 14 notice schedule on the real Temporal server', () => {
  const scheduleId = `art14-test-${randomUUID()}`;
  const payloadKeys = ZPayloadKeys.parse(`test:${randomBytes(32).toString('base64')}`);
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';

  afterAll(async () => {
    const connection = await Connection.connect({ address: address() });
    await new Client({ connection, namespace }).schedule
      .getHandle(scheduleId)
      .delete()
      .catch(() => undefined);
    await connection.close();
  });

  it('is created once: a second worker start finds it in place, daily, running the workflow with no personal data', async () => {
    const options = { address: address(), namespace, taskQueue: `art14-${randomUUID()}`, payloadKeys, scheduleId };
    expect(await ensureArt14Schedule(options)).toBe('created');
    expect(await ensureArt14Schedule(options)).toBe('exists');

    const connection = await Connection.connect({ address: address() });
    try {
      const client = new Client({ connection, namespace, dataConverter: createDataConverter(payloadKeys) });
      const described = await client.schedule.getHandle(scheduleId).describe();
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'art14NoticeWorkflow', taskQueue: options.taskQueue });
      expect(described.action.type === 'startWorkflow' ? described.action.args : null).toEqual([{ version: 1 }]);
      expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 7, end: 7, step: 1 }] });
      expect(described.policies.overlap).toBe('SKIP');
    } finally {
      await connection.close();
    }
  });
});
