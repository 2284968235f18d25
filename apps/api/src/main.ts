import { Client, Connection } from '@temporalio/client';
import { contactPayloadKeyRows, createDb, listenForDestroyedPayloadKeys } from '@zweck/db';
import { createMailSinkClient } from '@zweck/mail-sink/client';
import { createContactScope, createDataConverter } from '@zweck/temporal-codec';
import { contactScopeOfWorkflowId } from '@zweck/workflows/contracts';
import { createLogger } from '@zweck/logging';
import { readApiEnv } from './env.ts';
import { createServer } from './server.ts';
import { startUnsubscribeMailListener } from './unsubscribe/unsubscribe-mail.listener.ts';

const env = readApiEnv();
const log = createLogger({ service: 'api', level: env.LOG_LEVEL });

const db = createDb(env.DATABASE_URL);
// One Temporal client for the life of the process (never one per request).
const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
// Per-contact workflows' payloads are sealed with the contact's own key, as on the worker
// (crypto-shredding); an erasure anywhere makes this process forget its cached copy at once.
const contactScope = createContactScope(env.TEMPORAL_PAYLOAD_KEYS, contactPayloadKeyRows(db), contactScopeOfWorkflowId);
const keyListener = await listenForDestroyedPayloadKeys(
  env.DATABASE_URL,
  (contactId) => contactScope.keys.forget(contactId),
  (error) => log.warn({ err: error }, 'payload key listener failed; cached keys expire on their own'),
);
const temporal = new Client({
  connection,
  namespace: env.TEMPORAL_NAMESPACE,
  dataConverter: createDataConverter(env.TEMPORAL_PAYLOAD_KEYS, contactScope),
});
const mailSink = env.MAIL_SINK_URL ? createMailSinkClient(env.MAIL_SINK_URL) : null;

const server = createServer({ db, temporal, env, log, mailSink });
const url = await server.start();
log.info({ listening: url }, 'API listening');
// The mailto unsubscribe's inbound SMTP listener, where the installation receives that mail itself.
const inbound =
  env.INBOUND_SMTP_PORT === undefined
    ? null
    : await startUnsubscribeMailListener(
        { db, temporal, env, log },
        { host: env.INBOUND_SMTP_HOST ?? env.HOST, port: env.INBOUND_SMTP_PORT, maxBytes: env.INBOUND_SMTP_MAX_BYTES },
      );
if (inbound) log.info({ port: inbound.port }, 'inbound SMTP (mailto unsubscribe) listening');

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  // A request that never ends (a client that stops sending mid-body) must not keep the process alive.
  setTimeout(() => {
    log.error({ signal, timeoutSeconds: env.SHUTDOWN_TIMEOUT_SECONDS }, 'shutdown timed out: exiting with requests still open');
    process.exit(1);
  }, env.SHUTDOWN_TIMEOUT_SECONDS * 1000).unref();
  void (async () => {
    // Both finish what is in flight (requests, SMTP sessions) and refuse new work.
    await Promise.all([server.stop(), inbound?.stop()]);
    await connection.close();
    await keyListener.close();
    await db.$disconnect();
    log.info('API stopped');
    process.exit(0);
  })();
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
