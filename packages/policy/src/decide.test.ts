import { describe, expect, it } from 'vitest';
import { foldLedger, type LedgerEvent } from './consent-ledger.ts';
import { decide, POLICY_VERSION, type DecisionRequest } from './decide.ts';
import type { PurposeRuleInput as PurposeRule } from './purpose.ts';
import { explain, REASONS, type ReasonCode } from './reasons.ts';
import type { Action, SubjectStatus } from './vocabulary.ts';

const NOW = '2026-11-29T10:00:00.000Z';

const newsletter: PurposeRule = {
  id: 'newsletter',
  legalBasis: 'consent',
  channels: ['email'],
  isDirectMarketing: true,
  hasBalancingTest: false,
};
const service: PurposeRule = {
  id: 'service',
  legalBasis: 'contract',
  channels: ['email', 'phone'],
  isDirectMarketing: false,
  hasBalancingTest: false,
};
const events: PurposeRule = {
  id: 'event_invitations',
  legalBasis: 'legitimate_interest',
  channels: ['email'],
  isDirectMarketing: true,
  hasBalancingTest: true,
};
const undocumented: PurposeRule = { ...events, id: 'undocumented', hasBalancingTest: false };

const granted = (at = '2026-11-01T09:00:00.000Z', expiresAt: string | null = null): LedgerEvent => ({
  purposeId: 'newsletter',
  channel: 'email',
  kind: 'granted',
  occurredAt: at,
  expiresAt,
});
const ev = (kind: LedgerEvent['kind'], at: string, purposeId = 'newsletter'): LedgerEvent => ({
  purposeId,
  channel: 'email',
  kind,
  occurredAt: at,
});

function request(overrides: {
  ledger?: LedgerEvent[];
  status?: SubjectStatus;
  isSuppressed?: boolean;
  purpose?: PurposeRule;
  action?: Action;
  channel?: 'email' | 'phone';
}): DecisionRequest {
  return {
    subject: {
      status: overrides.status ?? 'active',
      isSuppressed: overrides.isSuppressed ?? false,
      consents: foldLedger(overrides.ledger ?? []),
    },
    purpose: overrides.purpose ?? newsletter,
    channel: overrides.channel ?? 'email',
    action: overrides.action ?? 'send',
    now: NOW,
  };
}

describe('decide', () => {
  const cases: { name: string; req: DecisionRequest; allowed: boolean; reasons?: ReasonCode[] }[] = [
    { name: 'consent granted: send allowed', req: request({ ledger: [granted()] }), allowed: true },
    { name: 'no consent: denied', req: request({}), allowed: false, reasons: ['NO_CONSENT'] },
    {
      name: 'withdrawn after grant: denied',
      req: request({ ledger: [granted(), ev('withdrawn', '2026-11-02T09:00:00.000Z')] }),
      allowed: false,
      reasons: ['CONSENT_WITHDRAWN'],
    },
    {
      name: 're-granted after withdrawal: allowed',
      req: request({ ledger: [granted(), ev('withdrawn', '2026-11-02T09:00:00.000Z'), granted('2026-11-03T09:00:00.000Z')] }),
      allowed: true,
    },
    {
      name: 'grant past its expiry: denied',
      req: request({ ledger: [granted('2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')] }),
      allowed: false,
      reasons: ['CONSENT_EXPIRED'],
    },
    {
      name: 'expired event: denied',
      req: request({ ledger: [granted(), ev('expired', '2026-11-20T00:00:00.000Z')] }),
      allowed: false,
      reasons: ['CONSENT_EXPIRED'],
    },
    {
      name: 'consent for another purpose does not carry',
      req: request({ ledger: [{ ...granted(), purposeId: 'product_updates' }] }),
      allowed: false,
      reasons: ['NO_CONSENT'],
    },
    {
      name: 'restricted: send denied',
      req: request({ ledger: [granted()], status: 'restricted' }),
      allowed: false,
      reasons: ['SUBJECT_RESTRICTED'],
    },
    { name: 'restricted: storage allowed', req: request({ ledger: [granted()], status: 'restricted', action: 'store' }), allowed: true },
    {
      name: 'erasure pending: everything denied, storage too',
      req: request({ ledger: [granted()], status: 'erasure_pending', action: 'store' }),
      allowed: false,
      reasons: ['SUBJECT_ERASED'],
    },
    { name: 'erased: denied', req: request({ ledger: [granted()], status: 'erased' }), allowed: false, reasons: ['SUBJECT_ERASED'] },
    { name: 'suppressed: send denied', req: request({ ledger: [granted()], isSuppressed: true }), allowed: false, reasons: ['SUPPRESSED'] },
    {
      name: 'channel outside the purpose: denied',
      req: request({ ledger: [granted()], channel: 'phone' }),
      allowed: false,
      reasons: ['CHANNEL_NOT_IN_PURPOSE', 'NO_CONSENT'],
    },
    {
      name: 'objection ends direct marketing even for another purpose with consent',
      req: request({ ledger: [granted(), ev('objected', '2026-11-05T00:00:00.000Z', 'product_updates')] }),
      allowed: false,
      reasons: ['OBJECTED_TO_DIRECT_MARKETING'],
    },
    {
      name: 'objection does not touch service messages under contract',
      req: request({ ledger: [ev('objected', '2026-11-05T00:00:00.000Z')], purpose: service }),
      allowed: true,
    },
    { name: 'legitimate interest with a documented balancing test: allowed', req: request({ purpose: events }), allowed: true },
    {
      name: 'legitimate interest without balancing test: denied',
      req: request({ purpose: undocumented }),
      allowed: false,
      reasons: ['BALANCING_TEST_MISSING'],
    },
    {
      name: 'profiling never rests on legitimate interest',
      req: request({ purpose: events, action: 'profile' }),
      allowed: false,
      reasons: ['PROFILING_NEEDS_CONSENT'],
    },
    {
      name: 'several reasons are all named, the strongest first',
      req: request({ status: 'restricted', isSuppressed: true }),
      allowed: false,
      reasons: ['SUBJECT_RESTRICTED', 'SUPPRESSED', 'NO_CONSENT'],
    },
  ];

  it.each(cases)('$name', ({ req, allowed, reasons }) => {
    const decision = decide(req);
    expect(decision.allowed).toBe(allowed);
    if (allowed) {
      expect(decision.reasons).toEqual([]);
      expect(decision.grounds?.legalBasis).toBe(req.purpose.legalBasis);
    } else {
      expect(decision.reasons.map((r) => r.code)).toEqual(reasons);
      expect(decision.grounds).toBeNull();
    }
  });

  it('names the consent that carries a yes', () => {
    const decision = decide(request({ ledger: [granted('2026-11-01T09:00:00.000Z')] }));
    expect(decision.grounds).toEqual({ legalBasis: 'consent', article: 'Art. 6(1)(a) GDPR', consentGrantedAt: '2026-11-01T09:00:00.000Z' });
  });

  it('is deterministic: the same input gives the same decision and digest', () => {
    const a = decide(request({ ledger: [granted()] }));
    const b = decide(request({ ledger: [granted()] }));
    expect(a).toEqual(b);
    expect(a.inputDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a.policyVersion).toBe(POLICY_VERSION);
  });

  it('gives another digest when any input changes', () => {
    const base = decide(request({ ledger: [granted()] }));
    expect(decide({ ...request({ ledger: [granted()] }), now: '2026-11-29T10:00:01.000Z' }).inputDigest).not.toBe(base.inputDigest);
    expect(decide(request({ ledger: [granted('2026-11-01T09:00:01.000Z')] })).inputDigest).not.toBe(base.inputDigest);
  });

  it('every reason code names its article and reads in English and German', () => {
    for (const code of Object.keys(REASONS) as ReasonCode[]) {
      expect(REASONS[code].article).toMatch(/Art\.|§/);
      expect(explain(code, 'en').length).toBeGreaterThan(10);
      expect(explain(code, 'de')).not.toBe(explain(code, 'en'));
    }
  });
});
