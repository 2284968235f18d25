import { describe, expect, it } from 'vitest';
import { consentAt, foldLedger, toLedgerEvent, type LedgerEvent } from './consent-ledger.ts';

const at = (day: number): string => `2026-11-${String(day).padStart(2, '0')}T09:00:00.000Z`;
const e = (kind: LedgerEvent['kind'], day: number, extra: Partial<LedgerEvent> = {}): LedgerEvent => ({
  purposeId: 'newsletter',
  channel: 'email',
  kind,
  occurredAt: at(day),
  ...extra,
});

describe('foldLedger', () => {
  it('orders by time, not by arrival', () => {
    const state = foldLedger([e('withdrawn', 3), e('granted', 1)]);
    expect(state.byPurposeChannel['newsletter:email']?.status).toBe('withdrawn');
  });

  it('confirms a pending grant (double opt-in) and keeps the grant time', () => {
    const state = foldLedger([e('granted', 1), e('confirmed', 2)]);
    expect(state.byPurposeChannel['newsletter:email']).toMatchObject({ status: 'confirmed', grantedAt: at(1), confirmedAt: at(2) });
  });

  it('ignores a confirmation without a grant', () => {
    expect(foldLedger([e('confirmed', 2)]).byPurposeChannel['newsletter:email']).toBeUndefined();
  });

  it('records an objection for direct marketing as a whole', () => {
    const state = foldLedger([e('granted', 1), e('objected', 2)]);
    expect(state.objectedToDirectMarketingAt).toBe(at(2));
    expect(state.byPurposeChannel['newsletter:email']?.status).toBe('withdrawn');
  });

  it('orders instants with offsets by time, not by their text', () => {
    // 10:30+02:00 is 08:30Z: before 09:00Z although its text sorts after it.
    const state = foldLedger([
      e('withdrawn', 1, { occurredAt: '2026-11-01T09:00:00.000Z' }),
      e('granted', 1, { occurredAt: '2026-11-01T10:30:00+02:00' }),
    ]);
    expect(state.byPurposeChannel['newsletter:email']?.status).toBe('withdrawn');
  });

  it('keeps ledger order for events at the same instant', () => {
    expect(foldLedger([e('granted', 1), e('withdrawn', 1)]).byPurposeChannel['newsletter:email']?.status).toBe('withdrawn');
    expect(foldLedger([e('withdrawn', 1), e('granted', 1)]).byPurposeChannel['newsletter:email']?.status).toBe('granted');
  });

  it('lets a grant lapse at its expiry', () => {
    const state = foldLedger([e('granted', 1, { expiresAt: at(10) })]);
    expect(consentAt(state, 'newsletter', 'email', at(9)).status).toBe('granted');
    expect(consentAt(state, 'newsletter', 'email', at(10)).status).toBe('expired');
  });
});

describe('toLedgerEvent', () => {
  it('turns stored rows into fold input', () => {
    expect(
      toLedgerEvent({ purposeId: 'newsletter', channel: 'email', kind: 'granted', occurredAt: new Date(at(1)), expiresAt: null }),
    ).toEqual(e('granted', 1, { expiresAt: null, method: null }));
  });

  it('refuses an unknown channel instead of dropping the row', () => {
    expect(() => toLedgerEvent({ purposeId: 'newsletter', channel: 'pigeon', kind: 'granted', occurredAt: at(1) })).toThrow(/channel/);
  });
});
