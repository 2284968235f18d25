import { z } from 'zod';
import { startMailSink } from './sink.ts';

const env = z
  .object({
    ZWECK_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
    ZWECK_SINK_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8025),
    ZWECK_SINK_DIR: z.string().min(1).optional(),
  })
  .parse(process.env);

const sink = await startMailSink({ smtpPort: env.ZWECK_SMTP_PORT, httpPort: env.ZWECK_SINK_HTTP_PORT, dataDir: env.ZWECK_SINK_DIR });
console.log(`mail sink: SMTP on 127.0.0.1:${sink.smtpPort}, HTTP on http://127.0.0.1:${sink.httpPort}/api/messages`);

const shutdown = (): void => {
  void sink.stop().then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
