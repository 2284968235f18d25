import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createDb, listenForDestroyedPayloadKeys } from '@zweck/db';
import { createMailer } from '@zweck/mail';
import { bounceMailbox } from '@zweck/mail/tracking-token';
import { createLogger } from '@zweck/logging';
import { readWorkerEnv } from './env.ts';
import { createWorker } from './worker.ts';
import { installTemporalRuntime } from './runtime-logger.ts';
import { ensureRepermissionSchedule } from './repermission-schedule.ts';
import { ensureArt14Schedule } from './art14-schedule.ts';
import { ensureRetentionSchedule } from './retention-schedule.ts';
import { ensureReviewWorkflows } from './review-workflows.ts';
import { createWorkerContactScope, createErasureServices } from './erasure-services.ts';

const env = readWorkerEnv();
const log = createLogger({ service: 'worker', level: env.LOG_LEVEL });
// The SDK's own log lines (and the native core's warnings) go through the same logger and its redaction.
installTemporalRuntime(log);

const db = createDb(env.DATABASE_URL);
// Bounces and complaints come back to bounces@MAIL_DOMAIN, the envelope sender of every message.
const mailer = createMailer({
  smtpUrl: env.SMTP_URL,
  from: env.MAIL_FROM,
  returnPath: bounceMailbox(env.MAIL_DOMAIN),
  maxConnections: env.SMTP_POOL_SIZE,
});
const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
// Per-contact payload keys (crypto-shredding) and what the erasure reaches: Temporal through a
// client of its own (terminate, delete, read histories), the key store, the SMTP sink where one runs.
const contactScope = createWorkerContactScope(db, env.TEMPORAL_PAYLOAD_KEYS);
// Another process's erasure: forget the cached key at once (the cache's time limit is the fallback).
const keyListener = await listenForDestroyedPayloadKeys(
  env.DATABASE_URL,
  (contactId) => contactScope.keys.forget(contactId),
  (error) => log.warn({ err: error }, 'payload key listener failed; cached keys expire on their own'),
);
const clientConnection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
const erasure = createErasureServices({
  client: new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE }),
  db,
  scope: contactScope,
  ring: env.TEMPORAL_PAYLOAD_KEYS,
  ...(env.MAIL_SINK_URL ? { mailSinkUrl: env.MAIL_SINK_URL } : {}),
});

// A graceful stop: on SIGTERM or SIGINT running campaign batches start no new message, record the
// ones in flight and return, so that their rest goes on elsewhere with nothing sent twice.
// Worker.run() hears the same signals (the SDK's runtime) and stops polling for new work.
const stopping = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'worker stopping: no new work, finishing what is in flight');
    stopping.abort();
    setTimeout(() => {
      log.error({ signal, timeoutSeconds: env.SHUTDOWN_TIMEOUT_SECONDS }, 'shutdown timed out: exiting with activities still running');
      process.exit(1);
    }, env.SHUTDOWN_TIMEOUT_SECONDS * 1000).unref();
  });
}

const worker = await createWorker({
  connection,
  namespace: env.TEMPORAL_NAMESPACE,
  taskQueue: env.TEMPORAL_TASK_QUEUE,
  payloadKeys: env.TEMPORAL_PAYLOAD_KEYS,
  contactScope,
  workflowBundle: env.WORKFLOW_BUNDLE_PATH ? { codePath: env.WORKFLOW_BUNDLE_PATH } : undefined,
  deps: {
    db,
    mailer,
    // At most the pool's size of campaign messages without a committed outcome: what a crash can repeat.
    campaignConcurrency: env.SMTP_POOL_SIZE,
    stopping: stopping.signal,
    erasure,
    config: {
      publicUrl: env.PUBLIC_URL,
      mailDomain: env.MAIL_DOMAIN,
      unsubscribeSecret: env.UNSUBSCRIBE_SECRET,
      suppressionKey: env.SUPPRESSION_KEY,
      sender: { imprint: env.SENDER_IMPRINT, privacyNoticeUrl: env.PRIVACY_NOTICE_URL },
      controllerName: env.CONTROLLER_NAME,
      dpoContact: env.DPO_CONTACT,
    },
  },
});

// The daily re-permission and retention runs (tests start their workers on throwaway queues and leave it out).
if (env.NODE_ENV !== 'test') {
  const schedule = await ensureRepermissionSchedule({
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: worker.options.taskQueue,
    payloadKeys: env.TEMPORAL_PAYLOAD_KEYS,
    withinDays: env.REPERMISSION_WITHIN_DAYS,
  });
  log.info({ schedule }, 're-permission schedule');
  const art14Schedule = await ensureArt14Schedule({
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: worker.options.taskQueue,
    payloadKeys: env.TEMPORAL_PAYLOAD_KEYS,
  });
  log.info({ schedule: art14Schedule }, 'Art. 14 notice schedule');
  const retentionSchedule = await ensureRetentionSchedule({
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: worker.options.taskQueue,
    payloadKeys: env.TEMPORAL_PAYLOAD_KEYS,
  });
  log.info({ schedule: retentionSchedule }, 'retention schedule');
  // Reviews without a workflow (the demo seed) get theirs, so that their reminders run.
  const reviews = await ensureReviewWorkflows({
    db,
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: worker.options.taskQueue,
    payloadKeys: env.TEMPORAL_PAYLOAD_KEYS,
  });
  log.info(reviews, 'review workflows');
}
log.info({ taskQueue: worker.options.taskQueue, namespace: env.TEMPORAL_NAMESPACE }, 'worker started');
// Worker.run() handles SIGINT/SIGTERM itself: it stops polling, lets running activities finish (a campaign
// batch returns early, see above), then resolves.
await worker.run();
mailer.close();
await db.$disconnect();
await connection.close();
await clientConnection.close();
await keyListener.close();
log.info('worker stopped');
