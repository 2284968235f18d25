import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createDb, type Db } from '@zweck/db';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import { reviewWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureReviewWorkflows } from './review-workflows.ts';

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through infra/test.sh`);
  return value;
};

describe('review workflows for reviews written without the API (real Temporal server, real PostgreSQL)', () => {
  let database: TestDatabase;
  let db: Db;
  const payloadKeys = ZPayloadKeys.parse(`test:${randomBytes(32).toString('base64')}`);
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const ids = { open: randomUUID(), done: randomUUID() };

  beforeAll(async () => {
    database = await createTestDatabase(need('ZWECK_PG_SERVER_URL'), 'review-workflows');
    db = createDb(database.url, { maxConnections: 2 });
    const base = {
      subjectType: 'purpose',
      subjectId: 'newsletter',
      title: 'Seeded',
      dueOn: new Date('2027-01-15T00:00:00Z'),
      createdBy: 'system:seed',
    };
    await db.review.create({ data: { ...base, id: ids.open } });
    await db.review.create({ data: { ...base, id: ids.done, status: 'done', doneAt: new Date() } });
  });

  afterAll(async () => {
    const connection = await Connection.connect({ address: need('TEMPORAL_ADDRESS') });
    await new Client({ connection, namespace }).workflow
      .getHandle(reviewWorkflowId(ids.open))
      .terminate('test done')
      .catch(() => undefined);
    await connection.close();
    await db?.$disconnect();
    await database?.drop();
  });

  it('starts one for each review not done, and nothing the second time', async () => {
    const options = { db, address: need('TEMPORAL_ADDRESS'), namespace, taskQueue: `reviews-${randomUUID()}`, payloadKeys };
    expect(await ensureReviewWorkflows(options)).toEqual({ started: 1, running: 0 });
    expect(await ensureReviewWorkflows(options)).toEqual({ started: 0, running: 1 });
    const connection = await Connection.connect({ address: options.address });
    try {
      const client = new Client({ connection, namespace, dataConverter: createDataConverter(payloadKeys) });
      const described = await client.workflow.getHandle(reviewWorkflowId(ids.open)).describe();
      expect(described).toMatchObject({ type: 'reviewWorkflow', taskQueue: options.taskQueue });
      expect(described.status.name).toBe('RUNNING');
      await expect(client.workflow.getHandle(reviewWorkflowId(ids.done)).describe()).rejects.toThrow();
    } finally {
      await connection.close();
    }
  });
});
