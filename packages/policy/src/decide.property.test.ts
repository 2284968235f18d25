// Invariants of the policy over generated inputs (fast-check): whatever the ledger, the subject
// and the purpose, these hold for every decision.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldLedger, type LedgerEvent } from './consent-ledger.ts';
import { decide, type DecisionRequest } from './decide.ts';
import type { PurposeRuleInput } from './purpose.ts';
import { ZAction, ZChannel, ZConsentMethod, ZLegalBasis, ZSubjectStatus, type Channel } from './vocabulary.ts';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const instant = (maxDays = 365) => fc.integer({ min: 0, max: maxDays * 86_400 }).map((s) => new Date(T0 + s * 1000).toISOString());
const channel = fc.constantFrom(...ZChannel.options);
const purposeId = fc.constantFrom('newsletter', 'product_news', 'events');

const ledgerEvent: fc.Arbitrary<LedgerEvent> = fc.record({
  purposeId,
  channel,
  kind: fc.constantFrom('granted', 'confirmed', 'withdrawn', 'expired', 'objected'),
  occurredAt: instant(200),
  expiresAt: fc.option(instant(), { nil: null }),
  method: fc.option(fc.constantFrom(...ZConsentMethod.options), { nil: null }),
});

const purpose: fc.Arbitrary<PurposeRuleInput> = fc.record({
  id: purposeId,
  legalBasis: fc.constantFrom(...ZLegalBasis.options),
  channels: fc.uniqueArray(channel, { minLength: 1, maxLength: 4 }),
  isDirectMarketing: fc.boolean(),
  hasBalancingTest: fc.boolean(),
  requiresDoubleOptIn: fc.boolean(),
  allowsExistingCustomerException: fc.boolean(),
});

const request: fc.Arbitrary<DecisionRequest> = fc
  .record({
    ledger: fc.array(ledgerEvent, { maxLength: 30 }),
    status: fc.constantFrom(...ZSubjectStatus.options),
    isSuppressed: fc.boolean(),
    isCustomer: fc.boolean(),
    purpose,
    channel,
    action: fc.constantFrom(...ZAction.options),
    now: instant(400),
  })
  .map(({ ledger, status, isSuppressed, isCustomer, purpose, channel, action, now }) => ({
    subject: {
      status,
      isSuppressed,
      consents: foldLedger(ledger),
      existingCustomer: isCustomer ? { addressFromSaleAt: '2025-06-01T00:00:00.000Z', informedOfRightToObject: true } : null,
    },
    purpose,
    channel,
    action,
    now,
  }));

const RUNS = { numRuns: 2_000 };

describe('policy invariants', () => {
  it('every denial carries at least one reason with its article; every yes names its basis and no reason', () => {
    fc.assert(
      fc.property(request, (req) => {
        const d = decide(req);
        if (d.allowed) {
          expect(d.reasons).toEqual([]);
          expect(d.grounds.article).toMatch(/Art\.|§/);
        } else {
          expect(d.reasons.length).toBeGreaterThan(0);
          for (const r of d.reasons) expect(r.article).toMatch(/Art\.|§/);
        }
      }),
      RUNS,
    );
  });

  it('a withdrawal after the last grant always denies processing on consent', () => {
    fc.assert(
      fc.property(request, channel, (req, ch) => {
        const consentPurpose = { ...req.purpose, legalBasis: 'consent' as const, channels: [ch] as Channel[] };
        const events: LedgerEvent[] = [
          { purposeId: consentPurpose.id, channel: ch, kind: 'granted', occurredAt: '2026-03-01T00:00:00.000Z', method: 'in_person' },
          { purposeId: consentPurpose.id, channel: ch, kind: 'withdrawn', occurredAt: '2026-03-02T00:00:00.000Z' },
        ];
        for (const action of ['send', 'track', 'profile', 'hand_off'] as const) {
          const d = decide({
            ...req,
            subject: { ...req.subject, consents: foldLedger(events) },
            purpose: consentPurpose,
            channel: ch,
            action,
            now: '2026-06-01T00:00:00.000Z',
          });
          expect(d.allowed).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('a restricted person is stored and nothing else', () => {
    fc.assert(
      fc.property(request, (req) => {
        const d = decide({ ...req, subject: { ...req.subject, status: 'restricted' } });
        if (req.action === 'store') expect(d.allowed).toBe(true);
        else expect(d.reasons.map((r) => r.code)).toContain('SUBJECT_RESTRICTED');
      }),
      RUNS,
    );
  });

  it('erasure pending or done denies everything', () => {
    fc.assert(
      fc.property(request, fc.constantFrom('erased' as const, 'erasure_pending' as const), (req, status) => {
        expect(decide({ ...req, subject: { ...req.subject, status } }).allowed).toBe(false);
      }),
      RUNS,
    );
  });

  it('an objection ends direct marketing on every channel', () => {
    fc.assert(
      fc.property(request, (req) => {
        const ledger: LedgerEvent[] = [{ purposeId: 'events', channel: 'post', kind: 'objected', occurredAt: '2026-01-02T00:00:00.000Z' }];
        const d = decide({
          ...req,
          subject: { ...req.subject, consents: foldLedger(ledger) },
          purpose: { ...req.purpose, isDirectMarketing: true },
          action: 'send',
        });
        expect(d.allowed).toBe(false);
      }),
      RUNS,
    );
  });

  it('the same input always gives the same decision and digest', () => {
    fc.assert(
      fc.property(request, (req) => {
        const copy = JSON.parse(JSON.stringify(req)) as DecisionRequest;
        expect(decide(copy)).toEqual(decide(req));
      }),
      RUNS,
    );
  });

  it('the order in which ledger events are stored does not matter when their times differ', () => {
    fc.assert(
      fc.property(fc.uniqueArray(ledgerEvent, { selector: (e) => e.occurredAt, maxLength: 20 }), (events) => {
        expect(foldLedger([...events].reverse())).toEqual(foldLedger(events));
      }),
      RUNS,
    );
  });
});
