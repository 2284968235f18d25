import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createDb, type Db } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { createMailer, type Mailer } from '@zweck/mail';
import { startMailSink, type MailSink } from '@zweck/mail-sink';
import { createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import type { welcomeWorkflow } from '@zweck/workflows';
import { welcomeWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeSkippingTestEnv } from './test/env.ts';
import { createWorker } from './worker.ts';

const serverUrl = process.env.ZWECK_PG_SERVER_URL;
if (!serverUrl) throw new Error('ZWECK_PG_SERVER_URL is not set: run the tests through infra/test.sh');

const payloadKeys = ZPayloadKeys.parse(`test:${randomBytes(32).toString('base64')}`);

describe('double opt-in deadline (time-skipping server, real PostgreSQL and SMTP)', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let db: Db;
  let sink: MailSink;
  let mailer: Mailer;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `doi-expiry-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    [env, database, sink] = await Promise.all([
      createTimeSkippingTestEnv({ dataConverter: createDataConverter(payloadKeys) }),
      createTestDatabase(serverUrl, 'doi'),
      startMailSink({ smtpPort: 0, httpPort: 0 }),
    ]);
    db = createDb(database.url, { maxConnections: 5 });
    await seedCatalogue(db);
    mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${sink.smtpPort}`, from: '"Zweck" <news@zweck.test>' });
    const config = {
      publicUrl: 'https://zweck.test',
      mailDomain: 'zweck.test',
      unsubscribeSecret: randomBytes(32).toString('hex'),
      suppressionKey: randomBytes(32).toString('hex'),
      sender: { imprint: 'Zweck Test GmbH', privacyNoticeUrl: 'https://zweck.test/privacy' },
    };
    worker = await createWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      payloadKeys,
      deps: { db, mailer, config },
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    mailer?.close();
    await db?.$disconnect();
    await Promise.all([env?.teardown(), sink?.stop(), database?.drop()]);
  });

  it('lets an unconfirmed consent expire after the purpose deadline, and sends nothing but the request', async () => {
    const email = 'never-confirms@example.org';
    const contactId = randomUUID();
    await db.contact.create({ data: { id: contactId, email, emailNormalized: email } });
    await db.consentEvent.create({
      data: {
        contactId,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'granted',
        occurredAt: new Date(),
        method: 'web_form',
        source: 'test',
        actor: 'contact',
      },
    });

    const began = Date.now();
    const result = await env.client.workflow.execute<typeof welcomeWorkflow>('welcomeWorkflow', {
      taskQueue,
      workflowId: welcomeWorkflowId(contactId, 'newsletter'),
      args: [{ version: 1, contactId, purposeId: 'newsletter', channel: 'email' }],
    });

    expect(result).toEqual({ outcome: 'confirmation_expired' });
    expect(Date.now() - began).toBeLessThan(60_000); // 72 hours of workflow time
    const ledger = await db.consentEvent.findMany({
      where: { contactId },
      orderBy: { recordedAt: 'asc' },
      select: { kind: true, actor: true },
    });
    expect(ledger).toEqual([
      { kind: 'granted', actor: 'contact' },
      { kind: 'expired', actor: 'system:double-opt-in' },
    ]);
    expect(
      sink
        .list()
        .filter((m) => m.to === email)
        .map((m) => m.subject),
    ).toEqual(['Please confirm: Newsletter']);
  });
});
