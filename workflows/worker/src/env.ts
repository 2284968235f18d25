import { ZPayloadKeys } from '@zweck/temporal-codec';
import { z } from 'zod';

/** The worker's configuration, validated once at start-up. Nothing else reads process.env. */
export const ZWorkerEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z.url(),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).optional(),
  /** Keys that encrypt every payload Temporal stores; the first encrypts, all decrypt. */
  TEMPORAL_PAYLOAD_KEYS: ZPayloadKeys,
  SMTP_URL: z.url(),
  MAIL_FROM: z.string().min(3).default('"Zweck Demo GmbH" <news@zweck.test>'),
  MAIL_DOMAIN: z.string().min(3).default('zweck.test'),
  /** SMTP connections kept open; also the most campaign messages a killed worker can send twice. */
  SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(8),
  PUBLIC_URL: z.url(),
  UNSUBSCRIBE_SECRET: z.string().min(32, 'UNSUBSCRIBE_SECRET must be at least 32 characters'),
  SUPPRESSION_KEY: z.string().min(32, 'SUPPRESSION_KEY must be at least 32 characters'),
  SENDER_IMPRINT: z
    .string()
    .min(1)
    .default('Zweck Demo GmbH · Musterstraße 1 · 10115 Berlin · HRB 000000 B · Managing director: Erika Mustermann'),
  PRIVACY_NOTICE_URL: z.url().default('https://zweck.test/privacy'),
  /** The controller named in consent receipts (Art. 13(1)(a)); the same as the API's. */
  CONTROLLER_NAME: z.string().min(1).default('Zweck Demo GmbH'),
  /** How the Art. 14 notice names the data protection officer (Art. 14(1)(b)): a name and a business address. */
  DPO_CONTACT: z.string().min(1).default('Data Protection Officer, dpo@zweck.test'),
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  /** The development SMTP sink's HTTP API (infra/mail-sink), whose store an erasure also clears; unset in production. */
  MAIL_SINK_URL: z.url().optional(),
  /** Re-permission asks this many days before a consent expires (the daily schedule's run). */
  REPERMISSION_WITHIN_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /**
   * A graceful stop (SIGTERM) lets running activities finish within the worker's 30 s grace time;
   * past this many seconds the process ends anyway, with a log line, so that an activity stuck on a
   * peer that never answers cannot hold a deployment. What it was sending is retried by the next
   * worker with the same Message-ID, as after a crash. Give the process manager's own limit more.
   */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(45),
});
export type WorkerEnv = z.infer<typeof ZWorkerEnv>;

export function readWorkerEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = ZWorkerEnv.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`worker configuration is invalid:\n${problems}`);
  }
  if (parsed.data.NODE_ENV === 'production' && !parsed.data.PUBLIC_URL.startsWith('https://')) {
    throw new Error('worker configuration is invalid:\n  PUBLIC_URL: unsubscribe links must be HTTPS in production (RFC 8058)');
  }
  return parsed.data;
}
