import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivitiesConfig } from '@zweck/activities';
import { createDb, type Db } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { createMailer, type Mailer } from '@zweck/mail';
import { startMailSink, type MailSink } from '@zweck/mail-sink';
import { ZPayloadKeys, type KeyRing } from '@zweck/temporal-codec';
import { createWorker } from '../worker.ts';

export interface WorkflowStack {
  db: Db;
  sink: MailSink;
  mailer: Mailer;
  config: ActivitiesConfig;
  payloadKeys: KeyRing;
  taskQueue: string;
  stop(): Promise<void>;
}

/** A fresh database with the catalogue, a real SMTP sink, and the product's worker running on `env`. */
export async function startWorkflowStack(
  env: TestWorkflowEnvironment,
  label: string,
  payloadKeys: KeyRing = ZPayloadKeys.parse(`test:${randomBytes(32).toString('base64')}`),
): Promise<WorkflowStack> {
  const serverUrl = process.env.ZWECK_PG_SERVER_URL;
  if (!serverUrl) throw new Error('ZWECK_PG_SERVER_URL is not set: run the tests through infra/test.sh');
  const [database, sink]: [TestDatabase, MailSink] = await Promise.all([
    createTestDatabase(serverUrl, label),
    startMailSink({ smtpPort: 0, httpPort: 0 }),
  ]);
  const db = createDb(database.url, { maxConnections: 5 });
  await seedCatalogue(db);
  const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${sink.smtpPort}`, from: '"Zweck" <news@zweck.test>' });
  const config: ActivitiesConfig = {
    publicUrl: 'https://zweck.test',
    mailDomain: 'zweck.test',
    unsubscribeSecret: randomBytes(32).toString('hex'),
    suppressionKey: randomBytes(32).toString('hex'),
    sender: { imprint: 'Zweck Test GmbH, Berlin', privacyNoticeUrl: 'https://zweck.test/privacy' },
    controllerName: 'Zweck Test GmbH',
  };
  const taskQueue = `${label}-${randomBytes(4).toString('hex')}`;
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    payloadKeys,
    deps: { db, mailer, config },
  });
  const running = worker.run();
  return {
    db,
    sink,
    mailer,
    config,
    payloadKeys,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      mailer.close();
      await db.$disconnect();
      await Promise.all([sink.stop(), database.drop()]);
    },
  };
}
