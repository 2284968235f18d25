// A test-only workflow: proves that packages/policy runs unchanged inside the workflow sandbox,
// and that a decision taken after a long durable wait sees the lapse of a consent.
import { sleep } from '@temporalio/workflow';
import { decide, foldLedger, type LedgerEvent } from '@zweck/policy';

export async function consentExpiryProbe(ledger: LedgerEvent[], waitDays: number): Promise<{ before: string[]; after: string[] }> {
  const ask = () =>
    decide({
      subject: { status: 'active', isSuppressed: false, consents: foldLedger(ledger) },
      purpose: { id: 'newsletter', legalBasis: 'consent', channels: ['email'], isDirectMarketing: true, hasBalancingTest: false },
      channel: 'email',
      action: 'send',
      now: new Date(Date.now()).toISOString(),
    });
  const before = ask();
  await sleep(`${waitDays} days`);
  const after = ask();
  return { before: before.reasons.map((r) => r.code), after: after.reasons.map((r) => r.code) };
}
