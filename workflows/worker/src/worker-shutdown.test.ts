import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { contactPayloadKeyRows, createDb, type Db } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { messageIdFor } from '@zweck/mail';
import { startMailSink, type MailSink } from '@zweck/mail-sink';
import { createContactScope, createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import type { welcomeWorkflow } from '@zweck/workflows';
import { contactScopeOfWorkflowId, welcomeIdempotencyKey, welcomeWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerChild, writeWorkflowBundle, type WorkerChild, type WorkerChildEnv } from './test/worker-child.ts';

/** createWorker's shutdownGraceTime: the longest a stopping worker waits for its activities. */
const GRACE_SECONDS = 30;
/** The sink answers each message's DATA this late, so that SIGTERM lands while the send is on the wire. */
const SMTP_DELAY_MS = 4_000;
/** An SMTP server that answers far later than the stuck-shutdown test's timeout allows. */
const STUCK_SMTP_DELAY_MS = 10_000;
const STUCK_TIMEOUT_SECONDS = 2;

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through infra/test.sh (it starts PostgreSQL and Temporal)`);
  return value;
};

describe('worker stopped (SIGTERM) while an activity sends a mail (real worker process, PostgreSQL, Temporal, slow SMTP)', () => {
  let database: TestDatabase;
  let db: Db;
  let sink: MailSink;
  let stuckSink: MailSink;
  let client: Client;
  let bundlePath: string;
  let childEnv: WorkerChildEnv;
  let worker: WorkerChild | null = null;
  let stuckWorker: WorkerChild | null = null;

  beforeAll(async () => {
    [database, sink, stuckSink, bundlePath] = await Promise.all([
      createTestDatabase(need('ZWECK_PG_SERVER_URL'), 'shutdown'),
      startMailSink({ smtpPort: 0, httpPort: 0, dataDelayMs: SMTP_DELAY_MS }),
      startMailSink({ smtpPort: 0, httpPort: 0, dataDelayMs: STUCK_SMTP_DELAY_MS }),
      writeWorkflowBundle('shutdown'),
    ]);
    db = createDb(database.url, { maxConnections: 3 });
    await seedCatalogue(db);
    const keys = `shutdown:${randomBytes(32).toString('base64')}`;
    childEnv = {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: need('TEMPORAL_ADDRESS'),
      TEMPORAL_TASK_QUEUE: `worker-shutdown-${randomBytes(4).toString('hex')}`,
      TEMPORAL_PAYLOAD_KEYS: keys,
      SMTP_URL: `smtp://127.0.0.1:${sink.smtpPort}`,
      SMTP_POOL_SIZE: '2',
      PUBLIC_URL: 'https://zweck.test',
      UNSUBSCRIBE_SECRET: randomBytes(32).toString('hex'),
      SUPPRESSION_KEY: randomBytes(32).toString('hex'),
      WORKFLOW_BUNDLE_PATH: bundlePath,
    };
    // The welcome workflow's payloads are sealed with the contact's own key, as the API's client does.
    const ring = ZPayloadKeys.parse(keys);
    client = new Client({
      connection: await Connection.connect({ address: childEnv.TEMPORAL_ADDRESS }),
      dataConverter: createDataConverter(ring, createContactScope(ring, contactPayloadKeyRows(db), contactScopeOfWorkflowId)),
    });
  });

  afterAll(async () => {
    for (const child of [worker, stuckWorker]) {
      if (!child) continue;
      child.kill('SIGKILL');
      await child.exited;
    }
    await client?.connection.close();
    await db?.$disconnect();
    await Promise.all([sink?.stop(), stuckSink?.stop(), database?.drop(), bundlePath ? rm(bundlePath, { force: true }) : undefined]);
  });

  /** A contact with newsletter consent given in person: its welcome workflow sends at once. */
  async function subscriber(label: string): Promise<{ contactId: string; email: string }> {
    const contactId = randomUUID();
    const email = `${label}-${contactId.slice(0, 8)}@example.org`;
    await db.contact.create({ data: { id: contactId, email, emailNormalized: email, firstName: 'Ida' } });
    await db.consentEvent.create({
      data: {
        contactId,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'granted',
        occurredAt: new Date('2026-11-01T10:00:00Z'),
        method: 'in_person',
        source: 'test',
        actor: 'contact',
      },
    });
    return { contactId, email };
  }
  const startWelcome = (contactId: string, taskQueue: string) =>
    client.workflow.start<typeof welcomeWorkflow>('welcomeWorkflow', {
      taskQueue,
      workflowId: welcomeWorkflowId(contactId, 'newsletter'),
      args: [{ version: 1, contactId, purposeId: 'newsletter', channel: 'email' }],
    });
  /** Resolves once the send activity has written its mail-log row and is on the wire, waiting for the SMTP answer. */
  async function sendInFlight(contactId: string): Promise<void> {
    await expect
      .poll(async () => (await db.message.findFirst({ where: { contactId }, select: { status: true } }))?.status, {
        timeout: 60_000,
        interval: 50,
      })
      .toBe('sending');
    await new Promise((r) => setTimeout(r, 500));
  }

  it('lets the send finish, exits 0 within the grace time, and another worker completes the workflow without a second mail', async () => {
    const { contactId, email } = await subscriber('slow');
    worker = await startWorkerChild(childEnv);
    const handle = await startWelcome(contactId, childEnv.TEMPORAL_TASK_QUEUE);

    // The activity has written its mail-log row and is on the wire, waiting for the slow SMTP answer.
    await sendInFlight(contactId);
    expect(sink.list().filter((m) => m.to === email)).toHaveLength(0);

    const first = worker;
    const signalledAt = Date.now();
    first.kill('SIGTERM');
    const exit = await first.exited;
    const seconds = (Date.now() - signalledAt) / 1000;
    worker = null;
    expect(exit, first.output()).toEqual({ code: 0, signal: null });
    // It waited for the send (the SMTP answer came after the signal), and no longer than the grace time.
    console.info(`worker: SIGTERM to exit 0 with a send on the wire (SMTP answers after ${SMTP_DELAY_MS} ms): ${seconds.toFixed(2)} s`);
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(GRACE_SECONDS);
    expect(first.output()).toContain('"msg":"worker stopping: no new work, finishing what is in flight"');
    expect(first.output()).toContain('"msg":"worker stopped"');
    // The send finished before the process left: recorded as sent, one message in the sink.
    const row = await db.message.findFirstOrThrow({ where: { contactId }, select: { status: true, messageId: true } });
    expect(row.status).toBe('sent');
    expect(sink.list().filter((m) => m.to === email)).toHaveLength(1);

    // The rest of the workflow waits in Temporal; a new worker picks it up and sends nothing again.
    worker = await startWorkerChild(childEnv);
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'sent' });
    const received = sink.list().filter((m) => m.to === email);
    expect(received).toHaveLength(1);
    expect(received[0]!.messageId).toBe(messageIdFor(welcomeIdempotencyKey(contactId, 'newsletter'), 'zweck.test'));
    expect(row.messageId).toBe(received[0]!.messageId);
    expect(await db.message.count({ where: { contactId } })).toBe(1);
  }, 240_000);

  it('ends anyway when the send never finishes: exit 1 after SHUTDOWN_TIMEOUT_SECONDS, with a log line, the mail-log row left for the retry', async () => {
    const { contactId, email } = await subscriber('stuck');
    // A queue of its own, so that the first test's worker does not take this workflow.
    const stuckEnv = {
      ...childEnv,
      TEMPORAL_TASK_QUEUE: `worker-stuck-${randomBytes(4).toString('hex')}`,
      SMTP_URL: `smtp://127.0.0.1:${stuckSink.smtpPort}`,
      SHUTDOWN_TIMEOUT_SECONDS: String(STUCK_TIMEOUT_SECONDS),
    };
    stuckWorker = await startWorkerChild(stuckEnv);
    const handle = await startWelcome(contactId, stuckEnv.TEMPORAL_TASK_QUEUE);
    await sendInFlight(contactId);

    const child = stuckWorker;
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const exit = await child.exited;
    const seconds = (Date.now() - signalledAt) / 1000;
    stuckWorker = null;
    console.info(`worker: SIGTERM to exit 1 with a send that never ends (timeout ${STUCK_TIMEOUT_SECONDS} s): ${seconds.toFixed(2)} s`);
    expect(exit, child.output()).toEqual({ code: 1, signal: null });
    expect(seconds).toBeGreaterThanOrEqual(STUCK_TIMEOUT_SECONDS);
    expect(seconds).toBeLessThan(STUCK_TIMEOUT_SECONDS + 6);
    expect(child.output()).toContain('"msg":"shutdown timed out: exiting with activities still running"');
    expect(child.output()).not.toContain('"msg":"worker stopped"');
    // The SMTP server never accepted the message; its mail-log row is what the activity's retry
    // (after its start-to-close timeout, on the next worker) resends with the same Message-ID.
    expect(stuckSink.list().filter((m) => m.to === email)).toHaveLength(0);
    expect(await db.message.findFirstOrThrow({ where: { contactId }, select: { status: true } })).toEqual({ status: 'sending' });
    await handle.terminate('test finished');
  }, 240_000);
});
