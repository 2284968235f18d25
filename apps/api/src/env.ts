import type { CountryCode } from 'libphonenumber-js';
import { ZFieldKeys } from '@zweck/db';
import { ZPayloadKeys } from '@zweck/temporal-codec';
import { z } from 'zod';

/** The API's configuration, validated once at start-up. Nothing else reads process.env. */
export const ZApiEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DATABASE_URL: z.url(),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).optional(),
  /** Keys that encrypt every payload Temporal stores; the first encrypts, all decrypt. */
  TEMPORAL_PAYLOAD_KEYS: ZPayloadKeys,
  /** Where the outbox view reads messages from (the local SMTP sink); unset in production. */
  MAIL_SINK_URL: z.url().optional(),
  PUBLIC_URL: z.url(),
  UNSUBSCRIBE_SECRET: z.string().min(32, 'UNSUBSCRIBE_SECRET must be at least 32 characters'),
  /**
   * Keys that seal free-text personal data in the application (AES-256-GCM, packages/db/src/field-crypto.ts);
   * the first seals, all open. Kept outside the database, rotatable (Art. 32(1)(a)).
   */
  FIELD_ENCRYPTION_KEYS: ZFieldKeys,
  /** The key of the suppression list's hashes; the same as the worker's. */
  SUPPRESSION_KEY: z.string().min(32, 'SUPPRESSION_KEY must be at least 32 characters'),
  /** The controller named in consent receipts (Art. 13(1)(a)). */
  CONTROLLER_NAME: z.string().min(1).default('Zweck Demo GmbH'),
  /** The controller's postal address and contact, and the DPO's, for the records of processing (Art. 30(1)(a)). */
  CONTROLLER_ADDRESS: z.string().min(1).default('Musterstraße 1, 10115 Berlin, Germany'),
  CONTROLLER_EMAIL: z.email().default('privacy@zweck.test'),
  DPO_NAME: z.string().min(1).default('Data Protection Officer'),
  DPO_EMAIL: z.email().default('dpo@zweck.test'),
  PRIVACY_NOTICE_URL: z.url().default('https://zweck.test/privacy'),
  /** Domain of the unsubscribe mailbox (unsubscribe@MAIL_DOMAIN); the same as the worker's. */
  MAIL_DOMAIN: z.string().min(3).default('zweck.test'),
  /**
   * Port of the inbound SMTP listener that processes the mailto unsubscribe (RFC 2369); unset,
   * no listener runs. In production the domain's MX (or a relay) delivers to it.
   */
  INBOUND_SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Interface of the inbound SMTP listener; defaults to HOST. */
  INBOUND_SMTP_HOST: z.string().min(1).optional(),
  /** Largest inbound message accepted, in bytes: a request needs its subject only; quoting clients add the original. */
  INBOUND_SMTP_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  /** The built admin UI (apps/web/dist), served from the same origin as the API. */
  WEB_DIST_DIR: z.string().optional(),
  /** ISO 3166 region of phone numbers written without a country code (`030 1234567`). */
  DEFAULT_PHONE_REGION: z
    .string()
    .regex(/^[A-Z]{2}$/, 'DEFAULT_PHONE_REGION is a two-letter region code like DE')
    .default('DE')
    .transform((v) => v as CountryCode),
  /** Absolute session lifetime: a session ends this many hours after sign-in, however busy (ASVS 7.3.2). */
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  /** Idle timeout: a session unused for this many minutes ends (ASVS 7.3.1). */
  SESSION_IDLE_MINUTES: z.coerce.number().positive().default(30),
  /** Sign-in throttling: failures counted in this sliding window… */
  SIGN_IN_WINDOW_MINUTES: z.coerce.number().int().positive().default(15),
  /** …per account (the e-mail typed, whether the account exists or not)… */
  SIGN_IN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(10),
  /** …and per client address; higher, because an office behind one NAT address shares it. */
  SIGN_IN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().positive().default(50),
  /** Every failed or throttled sign-in answers after at least this long, whatever the cause. */
  SIGN_IN_FAILURE_DELAY_MS: z.coerce.number().int().min(0).default(400),
  /** Days before a data-subject request's due date on which the DPO is reminded, comma-separated. */
  DSR_REMINDER_DAYS: z
    .string()
    .regex(/^\d{1,2}(,\d{1,2})*$/, 'DSR_REMINDER_DAYS is a comma-separated list of days, like 7,1')
    .default('7,1')
    .transform((v) => v.split(',').map(Number)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * A graceful stop (SIGTERM) finishes the requests in flight; past this many seconds the process
   * ends anyway, with a log line, so that a stuck request cannot hold a deployment (below the
   * usual 30 s a process manager waits before SIGKILL).
   */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(25),
});
export type ApiEnv = z.infer<typeof ZApiEnv>;

export function readApiEnv(source: NodeJS.ProcessEnv = process.env): ApiEnv {
  const parsed = ZApiEnv.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`API configuration is invalid:\n${problems}`);
  }
  return parsed.data;
}
