import { readSinkEnv } from './env.ts';
import { startMailSink } from './sink.ts';

const env = readSinkEnv();

const relay = env.ZWECK_SINK_FEEDBACK_SMTP ? new URL(env.ZWECK_SINK_FEEDBACK_SMTP) : null;
const sink = await startMailSink({
  smtpPort: env.ZWECK_SMTP_PORT,
  httpPort: env.ZWECK_SINK_HTTP_PORT,
  dataDir: env.ZWECK_SINK_DIR,
  feedback: relay ? { relay: { host: relay.hostname, port: Number(relay.port || 25) } } : undefined,
});
console.log(`mail sink: SMTP on 127.0.0.1:${sink.smtpPort}, HTTP on http://127.0.0.1:${sink.httpPort}/api/messages`);

const shutdown = (): void => {
  void sink.stop().then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
