// Decisions per second for a contact with a 50-event ledger, on one core.
// Run: pnpm --filter @zweck/policy bench
import { decide, evaluate, foldLedger, type DecisionRequest, type LedgerEvent } from '../src/index.ts';

const purposes = ['newsletter', 'product_news', 'events', 'webinars', 'surveys'];
const kinds = ['granted', 'confirmed', 'withdrawn', 'granted', 'confirmed'] as const;
const ledger: LedgerEvent[] = Array.from({ length: 50 }, (_, i) => ({
  purposeId: purposes[i % purposes.length]!,
  channel: i % 7 === 0 ? 'sms' : 'email',
  kind: kinds[Math.floor(i / purposes.length) % kinds.length]!,
  occurredAt: new Date(Date.parse('2025-01-01T00:00:00.000Z') + i * 86_400_000).toISOString(),
  method: 'web_form',
}));

const request = (consents = foldLedger(ledger)): DecisionRequest => ({
  subject: { status: 'active', isSuppressed: false, consents, recentMarketingSends: [] },
  purpose: { id: 'newsletter', legalBasis: 'consent', channels: ['email'], isDirectMarketing: true, requiresDoubleOptIn: true },
  channel: 'email',
  action: 'send',
  now: '2026-11-29T10:00:00.000Z',
  rules: { frequencyCaps: { email: { max: 4, periodDays: 30 } } },
});

function measure(label: string, run: () => unknown, seconds = 2): number {
  for (let i = 0; i < 20_000; i++) run(); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(seconds * 1e9);
  let now = start;
  while (now < end) {
    for (let i = 0; i < 1_000; i++) run();
    n += 1_000;
    now = process.hrtime.bigint();
  }
  const perSecond = n / (Number(now - start) / 1e9);
  console.log(
    `${label.padEnd(48)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} /s   ${(1e6 / perSecond).toFixed(2)} µs each`,
  );
  return perSecond;
}

const folded = foldLedger(ledger);
const prepared = request(folded);
console.log(`ledger: ${ledger.length} events, decision allowed: ${decide(prepared).allowed}`);
const evaluateOnly = measure('evaluate (rules only; segment previews)', () => evaluate(prepared));
const decideOnly = measure('decide (rules + facts digest; the send gate)', () => decide(prepared));
const foldAndDecide = measure('fold 50 events + decide', () => decide(request(foldLedger(ledger))));
const foldOnly = measure('fold 50 events alone', () => foldLedger(ledger));
console.log(
  JSON.stringify({
    evaluatePerSecond: Math.round(evaluateOnly),
    decideOnlyPerSecond: Math.round(decideOnly),
    foldAndDecidePerSecond: Math.round(foldAndDecide),
    foldPerSecond: Math.round(foldOnly),
  }),
);
