import pino, { type DestinationStream, type Level, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values are credentials or personal data, wherever they sit in a log object (top
 * level, or one or two objects down). The first line of defence is that the code never logs such
 * values (IDs, codes, route patterns and counts only; a test drives the real processes with a
 * canary and searches their output, apps/api/src/logging/log-canary.int.test.ts); this list is
 * the second, for the object someone logs by mistake. Case-sensitive, like the code's own names.
 */
export const REDACTED_KEYS = [
  // Credentials and secrets (ASVS 5 V16.2.5)
  'password',
  'currentPassword',
  'newPassword',
  'passwordHash',
  'token',
  'sessionToken',
  'tokenHash',
  'accessToken',
  'refreshToken',
  'secret',
  'totpSecret',
  'recoveryCode',
  'recoveryCodes',
  'cookie',
  'cookies',
  'authorization',
  'set-cookie',
  // Personal data (Art. 5(1)(c), 32 GDPR)
  'email',
  'emailNormalized',
  'to',
  'recipient',
  'recipients',
  'phone',
  'phoneE164',
  'firstName',
  'lastName',
  'first_name',
  'last_name',
  'fullName',
  'displayName',
  'givenName',
  'familyName',
  'organization',
  'notes',
  'attributes',
  'values',
  'remoteAddress',
  'ip',
  // Whole requests: bodies, URLs (tokens ride in paths) and query strings.
  'body',
  'url',
  'query',
  'params',
] as const;

/** `key` reads a plain property; `["set-cookie"]` the hyphenated one (pino's path syntax). */
const step = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`);

export const REDACT_PATHS: readonly string[] = REDACTED_KEYS.flatMap((key) => {
  const tail = step(key);
  return [tail.startsWith('.') ? key : tail, `*${tail}`, `*.*${tail}`];
});

export const REDACTED = '[redacted]';

/** An error code worth keeping (`ECONNREFUSED`, `EENVELOPE`, `P2002`): short, no spaces, so it cannot quote a value. */
const SAFE_CODE = /^[A-Za-z0-9_.-]{1,40}$/;

/**
 * What the log keeps of an error: its name, its code where it has a short one, and its stack
 * frames; never its message, which can quote input values or personal data (a database error
 * names the row it refused, an SMTP refusal the recipient).
 */
export function loggableError(error: unknown): { name: string; code?: string; frames: string[] } {
  if (!(error instanceof Error)) return { name: typeof error, frames: [] };
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.startsWith('    at '))
    .map((line) => line.trim())
    .slice(0, 15);
  const code = (error as { code?: unknown }).code;
  return { name: error.name, ...(typeof code === 'string' && SAFE_CODE.test(code) ? { code } : {}), frames };
}

/** A name or code the caller chose (`err: error.name`) stays; anything else that is not a string goes through loggableError. */
const errorSerializer = (value: unknown): unknown => (typeof value === 'string' ? value : loggableError(value));

export interface LoggerSettings {
  /** `api`, `worker`: the `service` field of every line. */
  service: string;
  level: Level | 'silent';
  /** Where lines go; standard output by default (the process manager collects it). */
  destination?: DestinationStream;
}

/** The options createLogger passes to pino, for a test that checks them on its own stream. */
export function loggerOptions(settings: Omit<LoggerSettings, 'destination'>): LoggerOptions {
  return {
    level: settings.level,
    base: { service: settings.service },
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { err: errorSerializer, error: errorSerializer },
    hooks: {
      // pino logs `log.error(error)` with the error's message as the line's message; the message
      // can quote personal data, so an error passed first is logged by name and frames only.
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        if (first instanceof Error) {
          const message = typeof rest[0] === 'string' ? rest.slice(0) : [first.name];
          return method.apply(this, [{ err: loggableError(first) }, ...(message as [string])]);
        }
        return method.apply(this, args);
      },
    },
  };
}

/**
 * The one logger factory of the API and the worker (docs/SECURITY.md, "Logging"): JSON lines with
 * the service's name, credentials and personal data redacted by key, errors without messages.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options = loggerOptions(settings);
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
