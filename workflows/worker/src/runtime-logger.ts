import { Runtime, type Logger as TemporalLogger, type LogLevel, type LogMetadata } from '@temporalio/worker';
import type { Logger } from '@zweck/logging';

const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<LogLevel, string>;

/**
 * The SDK's trace lines carry whole activations and activity tasks, their payloads decoded (our
 * codec has opened them) and base64-encoded: workflows hold IDs only, but a payload's body is no
 * log's business, so it is replaced by its size. Copies; leaves the SDK's objects alone.
 */
export function withoutPayloadBodies(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 16) return value;
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((item) => withoutPayloadBodies(item, depth + 1));
  const entries = Object.entries(value);
  if ('metadata' in value && 'data' in value) {
    const data = (value as { data: unknown }).data;
    const size = data instanceof Uint8Array ? data.byteLength : typeof data === 'string' ? data.length : 0;
    return { payload: 'omitted', size };
  }
  return Object.fromEntries(entries.map(([key, inner]) => [key, withoutPayloadBodies(inner, depth + 1)]));
}

/**
 * Temporal's logger interface over our pino logger, so that the SDK's own lines (worker state,
 * "Activity failed" with its error, workflow lifecycle) pass the same redaction and error
 * serializer as ours: an activity error's message (an SMTP refusal quotes the recipient) never
 * reaches the log.
 */
export function temporalLogger(log: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const fields = meta === undefined ? {} : (withoutPayloadBodies(meta) as Record<string, unknown>);
    // The error goes to the shared serializer as it is (name, code, frames; never its message).
    const error: unknown = meta?.error;
    log[LEVELS[level]]({ sdk: 'temporal', ...fields, ...(error === undefined ? {} : { error }) }, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

/**
 * Installs Temporal's runtime with our logger; the native core's own lines (warnings and up) are
 * forwarded to it rather than printed beside it. Call before the first connection.
 */
export function installTemporalRuntime(log: Logger): void {
  Runtime.install({
    logger: temporalLogger(log),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
}
