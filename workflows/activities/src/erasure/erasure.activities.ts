import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '@zweck/db';
import {
  eraseContact,
  verifyErasure,
  type EraseContactInput,
  type ErasureOutcome,
  type ErasureServices,
  type ErasureVerification,
} from './erase-contact.ts';

/** The erasure's activities (contactErasureWorkflow); the worker injects Temporal, the key store and the mail sink. */
export function createErasureActivities(deps: { db: Db; config: { suppressionKey: string }; now: () => Date; services?: ErasureServices }) {
  const withServices = (): ErasureServices => {
    // A worker without them cannot reach every store: refuse rather than erase half.
    if (!deps.services) throw ApplicationFailure.nonRetryable('this worker has no erasure services configured', 'ErasureNotConfigured');
    return deps.services;
  };
  return {
    async eraseContact(input: EraseContactInput): Promise<ErasureOutcome> {
      return eraseContact({ ...deps, services: withServices() }, input);
    },
    async verifyErasure(input: { contactId: string }): Promise<ErasureVerification> {
      return verifyErasure({ ...deps, services: withServices() }, input);
    },
  };
}
