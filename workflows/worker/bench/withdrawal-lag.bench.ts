// How long after a withdrawal's commit can a running campaign still mail that person? During a
// campaign at full speed, contacts about to be sent to withdraw their newsletter consent through
// the same SQL path as the API's unsubscribe (lock the contact's row, fold the ledger, append the
// withdrawal, commit). Afterwards every message the sink received for them is compared with the
// commit: a message after the commit is allowed only if its pre-send check (the recorded
// decision's time, taken before the facts are read) began before the commit.
// Run (services up, `source infra/lib.sh`):
//   pnpm --filter @zweck/worker bench:withdrawal-lag
// BENCH_CONTACTS consenting contacts (default 20,000), BENCH_WITHDRAWALS sampled (default 100),
// BENCH_SMTP_POOL the worker's SMTP pool (default 16).
import { lockAndFoldLedger } from '@zweck/decision-facts';
import { startMailSink } from '@zweck/mail-sink';
import { consentAt } from '@zweck/policy';
import { createBenchStack, loadAverage } from './stack.ts';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 20_000);
const WITHDRAWALS = Number(process.env.BENCH_WITHDRAWALS ?? 100);
const POOL = Number(process.env.BENCH_SMTP_POOL ?? 16);

console.log(`seeding ${CONTACTS} consenting contacts…`);
const stack = await createBenchStack('bench-withdrawal', CONTACTS, 0);
const { db } = stack;
const sink = await startMailSink({ smtpPort: 0, httpPort: 0 });
await stack.startWorker(`smtp://127.0.0.1:${sink.smtpPort}`, POOL);
const { campaignId, result } = await stack.startCampaign();
let finished = false;
void result.finally(() => (finished = true));

// Full speed first: a tenth of the audience received.
while (sink.list().length < CONTACTS / 10) await new Promise((r) => setTimeout(r, 50));
const startedAt = performance.now();

/** The API's unsubscribe path, minus the HTTP: under the contact's row lock, withdraw if in force. */
async function withdraw(contactId: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const locked = await lockAndFoldLedger(tx, contactId);
    if (!locked) return false;
    const now = new Date();
    const state = consentAt(locked.consents, 'newsletter', 'email', now.toISOString());
    if (state.status !== 'granted' && state.status !== 'confirmed') return false;
    await tx.consentEvent.create({
      data: {
        contactId,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'withdrawn',
        occurredAt: now,
        method: 'one_click_unsubscribe',
        source: 'bench',
        actor: 'contact',
      },
    });
    return true;
  });
}

// Sample contacts the campaign is about to reach: among the next few hundred pending recipients in
// sending order (those whose pre-send check may already have begun, or is about to), one at a time.
const withdrawn = new Map<string, { email: string; committedAt: number }>();
while (withdrawn.size < WITHDRAWALS && !finished) {
  const next = await db.campaignRecipient.findMany({
    where: { campaignId, outcome: 'pending' },
    orderBy: { contactId: 'asc' },
    select: { contactId: true, contact: { select: { email: true } } },
    take: 400,
  });
  const candidates = next.filter((r) => !withdrawn.has(r.contactId));
  if (candidates.length === 0) break;
  const pick = candidates[Math.floor(Math.random() * candidates.length)]!;
  if (await withdraw(pick.contactId)) withdrawn.set(pick.contactId, { email: pick.contact.email, committedAt: Date.now() });
  await new Promise((r) => setTimeout(r, 20));
}
const sampling = (performance.now() - startedAt) / 1000;
const outcome = await result;
if (outcome.outcome !== 'completed') throw new Error(`unexpected campaign result: ${JSON.stringify(outcome)}`);

// Every message received per withdrawn contact, with the time its pre-send check began.
const byAddress = new Map<string, number[]>();
for (const m of sink.list()) byAddress.set(m.to, [...(byAddress.get(m.to) ?? []), Date.parse(m.receivedAt)]);
const checks = await db.policyDecision.findMany({
  where: { contactId: { in: [...withdrawn.keys()] }, decidedBy: `activity:sendCampaignBatch:${campaignId}`, action: 'send', allowed: true },
  select: { contactId: true, decidedAt: true },
});
const lastAllowedCheck = new Map<string, number>();
for (const c of checks) lastAllowedCheck.set(c.contactId, Math.max(lastAllowedCheck.get(c.contactId) ?? 0, c.decidedAt.getTime()));

const lags: number[] = [];
let sentAfterCommit = 0;
let checkBeganAfterCommit = 0;
let notSent = 0;
for (const [contactId, { email, committedAt }] of withdrawn) {
  const received = byAddress.get(email) ?? [];
  if (received.length === 0) notSent++;
  const after = received.filter((at) => at > committedAt);
  lags.push(after.length === 0 ? 0 : Math.max(...after) - committedAt);
  if (after.length > 0) sentAfterCommit++;
  // An allowing check that began after the commit read facts without the withdrawal: never allowed.
  const check = lastAllowedCheck.get(contactId);
  if (check !== undefined && check > committedAt) checkBeganAfterCommit++;
}
lags.sort((a, b) => a - b);
const p95 = lags[Math.min(lags.length - 1, Math.ceil(lags.length * 0.95) - 1)] ?? 0;

await stack.close();
await sink.stop();

console.log(
  `campaign: ${CONTACTS} consenting contacts, SMTP pool ${POOL}; ${withdrawn.size} withdrawals in ${sampling.toFixed(1)} s at full speed`,
);
console.log(`withdrawn and never mailed: ${notSent}; mailed after the commit (check had begun before it): ${sentAfterCommit}`);
console.log(`lag from commit to the last message: max ${lags.at(-1) ?? 0} ms, p95 ${p95} ms`);
console.log(`allowing pre-send checks (and so sends) that began after the commit: ${checkBeganAfterCommit} (must be 0)`);
console.log(`load average (1, 5, 15 min): ${loadAverage()}`);
if (checkBeganAfterCommit > 0) process.exitCode = 1;
