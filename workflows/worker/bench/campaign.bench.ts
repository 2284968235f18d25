// A broadcast campaign through the whole stack (Temporal, the product's worker as its own process
// with its batched activities, the policy per recipient, PostgreSQL, pooled SMTP into the sink)
// against plain pooled nodemailer sending the same number of messages to the same sink, measured
// in one run (half of the plain messages before the campaign, half after), so that the ratio holds
// on a machine that others load too.
// Run (services up: `bash infra/services.sh start`, then `source infra/lib.sh`):
//   BENCH_CONTACTS=100000 pnpm --filter @zweck/worker bench:campaign
// BENCH_CONTACTS consenting contacts plus a fifth as many that the policy must skip;
// BENCH_SMTP_POOL connections for both senders (the worker's SMTP_POOL_SIZE).
import { randomUUID } from 'node:crypto';
import { createMailer, messageIdFor, prepareTemplate } from '@zweck/mail';
import { createPreferencesToken, createUnsubscribeToken, unsubscribeMailto } from '@zweck/mail/unsubscribe-token';
import { spawnSinkProcess } from '@zweck/mail-sink/process';
import { decide, foldLedger, type AllowedDecision } from '@zweck/policy';
import { BENCH_TEMPLATE, createBenchStack, loadAverage } from './stack.ts';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 10_000);
/** The policy must skip these: no consent. */
const SKIPPED = Math.round(CONTACTS / 5);
const POOL = Number(process.env.BENCH_SMTP_POOL ?? 16);

const peakOfThisProcess = () => Math.round(process.resourceUsage().maxRSS / 1024);

console.log(`seeding ${CONTACTS} consenting and ${SKIPPED} non-consenting contacts…`);
const stack = await createBenchStack('bench-campaign', CONTACTS, SKIPPED);
const sink = await spawnSinkProcess(process.env);
const smtpUrl = `smtp://127.0.0.1:${sink.smtpPort}`;
const loadBefore = loadAverage();

// 1. Plain pooled nodemailer: the same number of messages, POOL in flight, of the same size and
// headers as the campaign's (the template with its footer, List-Unsubscribe), rendered once
// beforehand: the sink parses the same bytes either way.
const secret = 'bench-secret-bench-secret-bench-secret';
const token = createUnsubscribeToken(secret, { c: randomUUID(), p: 'newsletter', ch: 'email', m: randomUUID() });
const system = {
  unsubscribeUrl: `https://zweck.test/u/${token}`,
  preferencesUrl: `https://zweck.test/preferences/${createPreferencesToken(secret, { c: randomUUID() })}`,
  privacyNoticeUrl: 'https://zweck.test/privacy',
  imprint: 'Zweck Bench GmbH',
};
const message = prepareTemplate(BENCH_TEMPLATE, { personalKeys: ['first_name'] }).render({ personal: { first_name: 'Bench' }, system });
const unsubscribe = { url: system.unsubscribeUrl, mailto: unsubscribeMailto('zweck.test', token) };
const plainMailer = createMailer({ smtpUrl, from: '"Bench" <bench@zweck.test>', maxConnections: POOL });
const decision = decide({
  subject: { status: 'active', isSuppressed: false, consents: foldLedger([]) },
  purpose: { id: 'bench', legalBasis: 'contract', channels: ['email'], isDirectMarketing: false },
  channel: 'email',
  action: 'send',
  now: new Date().toISOString(),
});
if (!decision.allowed) throw new Error('the plain baseline needs an allowed decision');
const allowed: AllowedDecision = decision;
let next = 0;
/** Send plain messages up to number `until`, POOL at a time; returns the seconds it took. */
async function plain(until: number): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: POOL }, async () => {
      while (next < until) {
        const i = next++;
        await plainMailer.send(allowed, {
          to: `plain-${i}@example.org`,
          ...message,
          messageId: messageIdFor(`plain:${i}`, 'zweck.test'),
          unsubscribe,
        });
      }
    }),
  );
  return (performance.now() - start) / 1000;
}
// Half of the plain messages before the campaign and half after it: other sessions' load on this
// shared machine changes over minutes, and bracketing the campaign evens that out in the ratio.
const plainFirstSeconds = await plain(Math.floor(CONTACTS / 2));
const loadAfterPlain = loadAverage();

// 2. The campaign through the whole stack, the worker in its own process.
const worker = await stack.startWorker(smtpUrl, POOL);
const campaignStart = performance.now();
const { result: pending } = await stack.startCampaign();
const result = await pending;
const campaignSeconds = (performance.now() - campaignStart) / 1000;
if (result.outcome !== 'completed' || result.totals.sent !== CONTACTS || result.totals.skipped !== SKIPPED) {
  throw new Error(`unexpected campaign result: ${JSON.stringify(result)}`);
}
const campaignRate = CONTACTS / campaignSeconds;
const workerPeak = await worker.peakRssMiB();
const loadAfterCampaign = loadAverage();
const plainSecondSeconds = await plain(CONTACTS);
plainMailer.close();
const plainRate = CONTACTS / (plainFirstSeconds + plainSecondSeconds);
const loadAfterSecondPlain = loadAverage();

await stack.close();
sink.stop();

console.log(`contacts: ${CONTACTS} sent + ${SKIPPED} skipped by the policy; SMTP pool ${POOL} (both senders)`);
console.log(
  `plain pooled nodemailer: ${plainRate.toFixed(0)} messages/s (first half ${(Math.floor(CONTACTS / 2) / plainFirstSeconds).toFixed(0)}/s before the campaign, second half ${((CONTACTS - Math.floor(CONTACTS / 2)) / plainSecondSeconds).toFixed(0)}/s after it)`,
);
console.log(`campaign (whole stack):  ${campaignRate.toFixed(0)} messages/s (${campaignSeconds.toFixed(1)} s incl. resolving the segment)`);
console.log(`ratio campaign / plain:  ${(campaignRate / plainRate).toFixed(2)}`);
console.log(
  `peak RSS of the worker process: ${workerPeak ?? '?'} MiB; of this benchmark process (plain sender): ${peakOfThisProcess()} MiB`,
);
console.log(
  `load average (1, 5, 15 min): before ${loadBefore}; after plain (first half) ${loadAfterPlain}; after campaign ${loadAfterCampaign}; after plain (second half) ${loadAfterSecondPlain}`,
);
