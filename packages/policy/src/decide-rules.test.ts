// The rules that issue 3 added to the first cut: double opt-in, the existing-customer exception
// (UWG § 7(3)), frequency caps and quiet hours.
import { describe, expect, it } from 'vitest';
import { foldLedger, type LedgerEvent } from './consent-ledger.ts';
import type { ContactRules } from './contact-rules.ts';
import { decide, type DecisionSubject } from './decide.ts';
import type { PurposeRuleInput } from './purpose.ts';

const NOW = '2026-11-29T10:00:00.000Z'; // 11:00 in Berlin (CET)
const newsletter: PurposeRuleInput = {
  id: 'newsletter',
  legalBasis: 'consent',
  channels: ['email', 'sms'],
  isDirectMarketing: true,
  requiresDoubleOptIn: true,
};
const productNews: PurposeRuleInput = {
  id: 'product_news',
  legalBasis: 'consent',
  channels: ['email'],
  isDirectMarketing: true,
  allowsExistingCustomerException: true,
};
const service: PurposeRuleInput = { id: 'service', legalBasis: 'contract', channels: ['email'], isDirectMarketing: false };

const ev = (kind: LedgerEvent['kind'], at: string, extra: Partial<LedgerEvent> = {}): LedgerEvent => ({
  purposeId: 'newsletter',
  channel: 'email',
  kind,
  occurredAt: at,
  ...extra,
});
const subject = (ledger: LedgerEvent[], extra: Partial<DecisionSubject> = {}): DecisionSubject => ({
  status: 'active',
  isSuppressed: false,
  consents: foldLedger(ledger),
  ...extra,
});
const codes = (d: ReturnType<typeof decide>) => d.reasons.map((r) => r.code);

describe('double opt-in (UWG § 7(2) Nr. 2)', () => {
  const ask = (ledger: LedgerEvent[], purpose = newsletter) =>
    decide({ subject: subject(ledger), purpose, channel: 'email', action: 'send', now: NOW });

  it('holds back a grant from a web form until it is confirmed', () => {
    expect(codes(ask([ev('granted', '2026-11-01T00:00:00.000Z', { method: 'web_form' })]))).toEqual(['DOUBLE_OPT_IN_PENDING']);
    expect(
      ask([
        ev('granted', '2026-11-01T00:00:00.000Z', { method: 'web_form' }),
        ev('confirmed', '2026-11-01T00:05:00.000Z', { method: 'double_opt_in' }),
      ]).allowed,
    ).toBe(true);
  });

  it('holds back grants without a recorded method, by phone or by import', () => {
    for (const method of [null, 'phone', 'import', 'api'] as const) {
      expect(codes(ask([ev('granted', '2026-11-01T00:00:00.000Z', { method })]))).toEqual(['DOUBLE_OPT_IN_PENDING']);
    }
  });

  it('accepts a consent given in person, whose written record proves it', () => {
    expect(ask([ev('granted', '2026-11-01T00:00:00.000Z', { method: 'in_person' })]).allowed).toBe(true);
  });

  it('accepts a consent renewed through the signed link of a re-permission mail, which proves the mailbox', () => {
    expect(ask([ev('granted', '2026-11-01T00:00:00.000Z', { method: 're_permission' })]).allowed).toBe(true);
  });

  it('holds back a grant recorded from a spam complaint: that method never proves a consent', () => {
    expect(codes(ask([ev('granted', '2026-11-01T00:00:00.000Z', { method: 'spam_complaint' })]))).toEqual(['DOUBLE_OPT_IN_PENDING']);
  });

  it('applies only where the purpose asks for it, and only to e-mail', () => {
    expect(
      ask([ev('granted', '2026-11-01T00:00:00.000Z', { method: 'web_form' })], { ...newsletter, requiresDoubleOptIn: false }).allowed,
    ).toBe(true);
    const sms = decide({
      subject: subject([ev('granted', '2026-11-01T00:00:00.000Z', { channel: 'sms', method: 'web_form' })]),
      purpose: newsletter,
      channel: 'sms',
      action: 'send',
      now: NOW,
    });
    expect(sms.allowed).toBe(true);
  });
});

describe('existing-customer exception (UWG § 7(3))', () => {
  const customer = { addressFromSaleAt: '2026-06-01T00:00:00.000Z', informedOfRightToObject: true };
  const ask = (s: DecisionSubject, action: 'send' | 'track' = 'send') =>
    decide({ subject: s, purpose: productNews, channel: 'email', action, now: NOW });

  it('allows mail about similar products without consent, on legitimate interest, with an opt-out in every message', () => {
    const decision = ask(subject([], { existingCustomer: customer }));
    expect(decision.allowed).toBe(true);
    if (!decision.allowed) return;
    expect(decision.grounds).toEqual({
      legalBasis: 'legitimate_interest',
      article: '§ 7(3) UWG; Art. 6(1)(f) GDPR',
      consentGrantedAt: null,
    });
    expect(decision.conditions).toEqual(['OPT_OUT_NOTICE_IN_EVERY_MESSAGE']);
  });

  it('does not apply when the customer was not told of the right to object', () => {
    expect(codes(ask(subject([], { existingCustomer: { ...customer, informedOfRightToObject: false } })))).toEqual(['NO_CONSENT']);
  });

  it('ends with an objection, and does not revive a withdrawn consent', () => {
    expect(
      codes(ask(subject([ev('objected', '2026-11-02T00:00:00.000Z', { purposeId: 'product_news' })], { existingCustomer: customer }))),
    ).toEqual(['OBJECTED_TO_DIRECT_MARKETING', 'CONSENT_WITHDRAWN']);
    const withdrawn = [
      ev('granted', '2026-11-01T00:00:00.000Z', { purposeId: 'product_news' }),
      ev('withdrawn', '2026-11-02T00:00:00.000Z', { purposeId: 'product_news' }),
    ];
    expect(codes(ask(subject(withdrawn, { existingCustomer: customer })))).toEqual(['CONSENT_WITHDRAWN']);
  });

  it('covers sending only, never tracking', () => {
    expect(codes(ask(subject([], { existingCustomer: customer }), 'track'))).toEqual(['NO_CONSENT']);
  });

  it('does not apply to purposes that do not declare it', () => {
    const decision = decide({
      subject: subject([], { existingCustomer: customer }),
      purpose: newsletter,
      channel: 'email',
      action: 'send',
      now: NOW,
    });
    expect(codes(decision)).toEqual(['NO_CONSENT']);
  });
});

describe('contact policy: frequency caps and quiet hours (§ 7(1) UWG)', () => {
  const confirmed = [ev('granted', '2026-11-01T00:00:00.000Z', { method: 'in_person' })];
  const rules: ContactRules = {
    frequencyCaps: { email: { max: 3, periodDays: 7 } },
    quietHours: { start: '21:00', end: '08:00', channels: ['email', 'sms'] },
    defaultTimeZone: 'Europe/Berlin',
  };
  const sends = (...days: number[]) =>
    days.map((d) => ({ channel: 'email' as const, sentAt: new Date(Date.parse(NOW) - d * 86_400_000).toISOString() }));
  const ask = (extra: Partial<DecisionSubject>, now = NOW, purpose = newsletter) =>
    decide({ subject: subject(confirmed, extra), purpose, channel: 'email', action: 'send', now, rules });

  it('stops the fourth marketing message within seven days, counting only that window and channel', () => {
    expect(ask({ recentMarketingSends: sends(1, 2) }).allowed).toBe(true);
    expect(codes(ask({ recentMarketingSends: sends(1, 2, 6) }))).toEqual(['FREQUENCY_CAP_REACHED']);
    expect(ask({ recentMarketingSends: [...sends(1, 2, 8), { channel: 'sms', sentAt: NOW }] }).allowed).toBe(true);
  });

  it('does not cap service messages under contract', () => {
    const d = decide({
      subject: subject([], { recentMarketingSends: sends(1, 2, 3, 4) }),
      purpose: service,
      channel: 'email',
      action: 'send',
      now: NOW,
      rules,
    });
    expect(d.allowed).toBe(true);
  });

  it("holds marketing in the quiet hours of the person's time zone, and says when they end", () => {
    const lateInBerlin = '2026-11-29T21:30:00.000Z'; // 22:30 CET
    const decision = ask({}, lateInBerlin);
    expect(codes(decision)).toEqual(['QUIET_HOURS']);
    expect(!decision.allowed && decision.notBefore).toBe('2026-11-30T07:00:00.000Z'); // 08:00 CET
    // 10:00 UTC is 05:00 in New York: quiet there, not in Berlin.
    const newYork = ask({ timeZone: 'America/New_York' });
    expect(codes(newYork)).toEqual(['QUIET_HOURS']);
    expect(!newYork.allowed && newYork.notBefore).toBe('2026-11-29T13:00:00.000Z');
    expect(ask({ timeZone: 'Europe/Berlin' }).allowed).toBe(true);
  });

  it('names no time to retry when more than the clock stands in the way', () => {
    const decision = ask({ recentMarketingSends: sends(1, 2, 3) }, '2026-11-29T21:30:00.000Z');
    expect(codes(decision)).toEqual(['FREQUENCY_CAP_REACHED', 'QUIET_HOURS']);
    expect(!decision.allowed && decision.notBefore).toBeNull();
  });
});

describe('fields of the field catalogue (Art. 5(1)(b), (c); Art. 9(1))', () => {
  const withFields: PurposeRuleInput = { ...service, fields: ['email', 'organization'] };
  const ask = (field: { key: string; category: string }, action: 'store' | 'send' | 'export' = 'store', purpose = withFields) =>
    decide({ subject: subject([]), purpose, channel: 'email', action, now: NOW, field });

  it('never stores or uses a special category, whatever the purpose and action', () => {
    for (const category of ['health', 'religious_or_philosophical_beliefs', 'trade_union_membership', 'criminal_convictions']) {
      for (const action of ['store', 'send', 'export'] as const) {
        const decision = ask({ key: 'organization', category }, action);
        expect(decision.allowed).toBe(false);
        expect(codes(decision)).toContain('SPECIAL_CATEGORY_DATA');
      }
    }
  });

  it('lets a purpose use only the fields it lists', () => {
    expect(ask({ key: 'organization', category: 'professional' }).allowed).toBe(true);
    expect(codes(ask({ key: 'city', category: 'location' }))).toEqual(['FIELD_NOT_IN_PURPOSE']);
    // A purpose whose rule does not carry its field list is not asked about fields.
    expect(ask({ key: 'city', category: 'location' }, 'store', service).allowed).toBe(true);
  });

  it('puts the field into the digest, so that a replay names what was stored', () => {
    const a = ask({ key: 'email', category: 'contact' });
    const b = ask({ key: 'organization', category: 'professional' });
    expect(a.allowed && b.allowed).toBe(true);
    expect(a.inputDigest).not.toBe(b.inputDigest);
  });
});
