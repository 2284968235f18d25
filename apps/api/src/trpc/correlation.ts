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

// What the log keeps of an unexpected error (name, code, stack frames; never the message): one
// definition for the API and the worker, beside their logger factory.
export { loggableError } from '@zweck/logging';
