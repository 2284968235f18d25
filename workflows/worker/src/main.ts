import { NativeConnection } from '@temporalio/worker';
import { createDb } from '@zweck/db';
import { createMailer } from '@zweck/mail';
import { bounceMailbox } from '@zweck/mail/tracking-token';
import pino from 'pino';
import { readWorkerEnv } from './env.ts';
import { createWorker } from './worker.ts';
import { ensureRepermissionSchedule } from './repermission-schedule.ts';

const env = readWorkerEnv();
const log = pino({ level: env.LOG_LEVEL, base: { service: 'worker' } });

const db = createDb(env.DATABASE_URL);
// Bounces and complaints come back to bounces@MAIL_DOMAIN, the envelope sender of every message.
const mailer = createMailer({
  smtpUrl: env.SMTP_URL,
  from: env.MAIL_FROM,
  returnPath: bounceMailbox(env.MAIL_DOMAIN),
  maxConnections: env.SMTP_POOL_SIZE,
});
const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });

// A graceful stop: on SIGTERM or SIGINT running campaign batches start no new message, record the
// ones in flight and return, so that their rest goes on elsewhere with nothing sent twice.
// Worker.run() hears the same signals (the SDK's runtime) and stops polling for new work.
const stopping = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'worker stopping: no new work, finishing what is in flight');
    stopping.abort();
  });
}

const worker = await createWorker({
  connection,
  namespace: env.TEMPORAL_NAMESPACE,
  taskQueue: env.TEMPORAL_TASK_QUEUE,
  payloadKeys: env.TEMPORAL_PAYLOAD_KEYS,
  workflowBundle: env.WORKFLOW_BUNDLE_PATH ? { codePath: env.WORKFLOW_BUNDLE_PATH } : undefined,
  deps: {
    db,
    mailer,
    // At most the pool's size of campaign messages without a committed outcome: what a crash can repeat.
    campaignConcurrency: env.SMTP_POOL_SIZE,
    stopping: stopping.signal,
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

// The daily re-permission run (tests start their workers on throwaway queues and leave it out).
if (env.NODE_ENV !== 'test') {
  const schedule = await ensureRepermissionSchedule({
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: worker.options.taskQueue,
    payloadKeys: env.TEMPORAL_PAYLOAD_KEYS,
    withinDays: env.REPERMISSION_WITHIN_DAYS,
  });
  log.info({ schedule }, 're-permission schedule');
}
log.info({ taskQueue: worker.options.taskQueue, namespace: env.TEMPORAL_NAMESPACE }, 'worker started');
// Worker.run() handles SIGINT/SIGTERM itself: it stops polling, lets running activities finish (a campaign
// batch returns early, see above), then resolves.
await worker.run();
mailer.close();
await db.$disconnect();
await connection.close();
log.info('worker stopped');
