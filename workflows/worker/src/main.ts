import { NativeConnection } from '@temporalio/worker';
import { createDb } from '@zweck/db';
import { createMailer } from '@zweck/mail';
import pino from 'pino';
import { readWorkerEnv } from './env.ts';
import { createWorker } from './worker.ts';

const env = readWorkerEnv();
const log = pino({ level: env.LOG_LEVEL, base: { service: 'worker' } });

const db = createDb(env.DATABASE_URL);
const mailer = createMailer({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM });
const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });

const worker = await createWorker({
  connection,
  namespace: env.TEMPORAL_NAMESPACE,
  taskQueue: env.TEMPORAL_TASK_QUEUE,
  payloadKeys: env.TEMPORAL_PAYLOAD_KEYS,
  workflowBundle: env.WORKFLOW_BUNDLE_PATH ? { codePath: env.WORKFLOW_BUNDLE_PATH } : undefined,
  deps: {
    db,
    mailer,
    config: {
      publicUrl: env.PUBLIC_URL,
      mailDomain: env.MAIL_DOMAIN,
      unsubscribeSecret: env.UNSUBSCRIBE_SECRET,
      suppressionKey: env.SUPPRESSION_KEY,
      sender: { imprint: env.SENDER_IMPRINT, privacyNoticeUrl: env.PRIVACY_NOTICE_URL },
      controllerName: env.CONTROLLER_NAME,
    },
  },
});

log.info({ taskQueue: worker.options.taskQueue, namespace: env.TEMPORAL_NAMESPACE }, 'worker started');
// Worker.run() handles SIGINT/SIGTERM itself: it stops polling, lets running activities finish, then resolves.
await worker.run();
mailer.close();
await db.$disconnect();
await connection.close();
log.info('worker stopped');
