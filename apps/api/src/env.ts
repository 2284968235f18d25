import type { CountryCode } from 'libphonenumber-js';
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
  /** The key of the suppression list's hashes; the same as the worker's. */
  SUPPRESSION_KEY: z.string().min(32, 'SUPPRESSION_KEY must be at least 32 characters'),
  /** The controller named in consent receipts (Art. 13(1)(a)). */
  CONTROLLER_NAME: z.string().min(1).default('Zweck Demo GmbH'),
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
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
