import { Client, Connection } from '@temporalio/client';
import { createDb } from '@zweck/db';
import { createMailSinkClient } from '@zweck/mail-sink/client';
import { createDataConverter } from '@zweck/temporal-codec';
import pino from 'pino';
import { readApiEnv } from './env.ts';
import { createServer } from './server.ts';

const env = readApiEnv();
const log = pino({ level: env.LOG_LEVEL, base: { service: 'api' } });

const db = createDb(env.DATABASE_URL);
// One Temporal client for the life of the process (never one per request).
const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
const temporal = new Client({
  connection,
  namespace: env.TEMPORAL_NAMESPACE,
  dataConverter: createDataConverter(env.TEMPORAL_PAYLOAD_KEYS),
});
const mailSink = env.MAIL_SINK_URL ? createMailSinkClient(env.MAIL_SINK_URL) : null;

const server = createServer({ db, temporal, env, log, mailSink });
const url = await server.start();
log.info({ url }, 'API listening');

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  void (async () => {
    await server.stop(); // finishes requests in flight, refuses new ones
    await connection.close();
    await db.$disconnect();
    process.exit(0);
  })();
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
