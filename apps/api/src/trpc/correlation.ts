import { randomUUID } from 'node:crypto';

/**
 * The reference an unexpected error is answered with and logged under, so that a person can
 * quote it and an operator can find the details (ASVS 5 V16.5.1: errors without internals).
 * Keyed by the error object: tRPC's `onError` and `errorFormatter` see the same object, and
 * whichever runs first mints the ID.
 */
const ids = new WeakMap<object, string>();

export function correlationIdOf(error: object): string {
  let id = ids.get(error);
  if (id === undefined) {
    id = randomUUID();
    ids.set(error, id);
  }
  return id;
}

export const GENERIC_ERROR_MESSAGE = 'Something went wrong on our side. If it keeps happening, tell your administrator the reference.';

/**
 * What the log keeps of an unexpected error: its name and stack frames, never its message,
 * which can quote input values or personal data (a database error names the row it refused).
 */
export function loggableError(error: unknown): { name: string; frames: string[] } {
  if (!(error instanceof Error)) return { name: typeof error, frames: [] };
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.startsWith('    at '))
    .map((line) => line.trim())
    .slice(0, 15);
  return { name: error.name, frames };
}
