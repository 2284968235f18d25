import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import { ZEraseContactInput, type ContactErasureResult, type EraseContactInput } from './erasure.contracts.ts';

// Erasure touches every store in one activity; a slow Temporal or SMTP sink gets time, and a
// retry picks up where the last attempt stopped (each step is idempotent).
const { eraseContact } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

const { verifyErasure } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

/**
 * Art. 17 GDPR across every store: erase (or anonymize) the contact, then prove it by searching
 * every store for the identifiers captured before the erasure. Runs as `erasure:<contactId>`,
 * whose payloads the codec encrypts with the key ring, not the contact's key that this workflow
 * destroys (erasure.contracts.ts). IDs and counts only in its history.
 */
export async function contactErasureWorkflow(rawInput: EraseContactInput): Promise<ContactErasureResult> {
  const parsed = ZEraseContactInput.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid erasure input: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`,
      'InvalidInput',
    );
  }
  const outcome = await eraseContact(parsed.data);
  const verification = await verifyErasure({ contactId: parsed.data.contactId });
  return { outcome, verification };
}
