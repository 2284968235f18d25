// What share of one send's cost the policy's decision takes, measured in one run: the send gate
// (fold a 50-event ledger, decide with digest) against a pooled nodemailer send of a welcome
// mail to a real SMTP server in another process (the project's mail sink).
// Run: pnpm --filter @zweck/mail bench
import { createHash } from 'node:crypto';
import { decide, foldLedger, type AllowedDecision, type LedgerEvent } from '@zweck/policy';
import { spawnSinkProcess } from '@zweck/mail-sink/process';
import { createMailer, messageIdFor, renderWelcome } from '../src/index.ts';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const SENDS = Number(process.env.BENCH_SENDS ?? 2_000);

const purposes = ['newsletter', 'product_news', 'events', 'webinars', 'surveys'];
const ledger: LedgerEvent[] = Array.from({ length: 50 }, (_, i) => ({
  purposeId: purposes[i % purposes.length]!,
  channel: 'email',
  kind: (['granted', 'confirmed', 'withdrawn', 'granted', 'confirmed'] as const)[Math.floor(i / 5) % 5]!,
  occurredAt: new Date(Date.parse('2025-01-01T00:00:00.000Z') + i * 86_400_000).toISOString(),
  method: 'web_form',
}));
const gate = () =>
  decide(
    {
      subject: { status: 'active', isSuppressed: false, consents: foldLedger(ledger), recentMarketingSends: [] },
      purpose: { id: 'newsletter', legalBasis: 'consent', channels: ['email'], isDirectMarketing: true, requiresDoubleOptIn: true },
      channel: 'email',
      action: 'send',
      now: new Date().toISOString(),
      rules: { frequencyCaps: { email: { max: 4, periodDays: 30 } } },
    },
    { sha256Hex },
  ); // as the activities call it

// The sink runs in its own process, as a mail server would, so that parsing received mail does
// not count against the sender.
const sink = await spawnSinkProcess(process.env);
const smtpPort = sink.smtpPort;

const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: '"Zweck Bench" <bench@zweck.test>', maxConnections: 5 });
const decision = gate();
if (!decision.allowed) throw new Error('the benchmark ledger should allow the send');
const rendered = renderWelcome({
  firstName: 'Bench',
  purposeName: 'Newsletter',
  unsubscribeUrl: 'https://zweck.test/u/x',
  preferencesUrl: 'https://zweck.test/preferences/x',
  sender: { imprint: 'Zweck GmbH', privacyNoticeUrl: 'https://zweck.test/privacy' },
});
const send = (i: number, d: AllowedDecision) =>
  mailer.send(d, {
    to: `bench-${i}@example.org`,
    ...rendered,
    messageId: messageIdFor(`bench:${i}`, 'zweck.test'),
    unsubscribe: { url: 'https://zweck.test/u/x', mailto: 'mailto:u@zweck.test' },
  });

// Warm-up, then the sends: as the campaign activity would, a bounded number in flight.
await Promise.all(Array.from({ length: 50 }, (_, i) => send(-i - 1, decision)));
const inFlight = 5;
let next = 0;
const sendStart = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (next < SENDS) await send(next++, decision);
  }),
);
const sendMicros = Number(process.hrtime.bigint() - sendStart) / 1e3 / SENDS;

for (let i = 0; i < 5_000; i++) gate();
const gateRuns = 50_000;
const gateStart = process.hrtime.bigint();
for (let i = 0; i < gateRuns; i++) gate();
const gateMicros = Number(process.hrtime.bigint() - gateStart) / 1e3 / gateRuns;

mailer.close();
sink.stop();

console.log(`send (pooled SMTP, ${inFlight} in flight, ${SENDS} messages): ${sendMicros.toFixed(1)} µs per message`);
console.log(`send gate (fold 50 events + decide with digest):  ${gateMicros.toFixed(1)} µs per decision`);
console.log(`decision share of a send: ${((gateMicros / (gateMicros + sendMicros)) * 100).toFixed(2)} %`);
