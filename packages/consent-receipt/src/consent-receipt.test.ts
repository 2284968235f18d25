import { describe, expect, it } from 'vitest';
import { consentReceipt, receiptFileName, type ReceiptInput } from './index.ts';

const input = (event: Partial<ReceiptInput['event']> = {}, legalBasis = 'consent'): ReceiptInput => ({
  event: {
    id: '0b9c1f3e-5d1a-4c43-9f0e-6a1d2b3c4d5e',
    contactId: '7f0e2d1c-3b4a-4c5d-8e6f-7a8b9c0d1e2f',
    purposeId: 'newsletter',
    channel: 'email',
    kind: 'granted',
    occurredAt: new Date('2026-11-01T10:00:00.000Z'),
    recordedAt: new Date('2026-11-01T10:00:01.000Z'),
    expiresAt: null,
    method: 'double_opt_in',
    source: 'website',
    wordingVersion: '2026-11',
    wordingHash: 'sha256:abc',
    ...event,
  },
  purpose: { name: 'Newsletter', description: 'Monthly news.', legalBasis },
  wording: { language: 'en', text: 'Yes, send me the newsletter.' },
  controller: { name: 'Zweck Test GmbH', privacyNoticeUrl: 'https://zweck.test/privacy' },
  issuedAt: new Date('2026-11-29T12:00:00.000Z'),
});

describe('consent receipt (ISO/IEC TS 27560, DPV)', () => {
  it('maps the ledger kind to the DPV consent status and the basis to its GDPR article', () => {
    expect(consentReceipt(input())['dpv:hasConsentStatus']).toEqual({ '@id': 'dpv:ConsentGiven' });
    expect(consentReceipt(input({ kind: 'withdrawn' }))['dpv:hasConsentStatus']).toEqual({ '@id': 'dpv:ConsentWithdrawn' });
    expect(consentReceipt(input({ kind: 'objected' }))['dpv:hasConsentStatus']).toEqual({ '@id': 'dpv:ConsentRefused' });
    expect(consentReceipt(input({}, 'legal_obligation'))['dpv:hasLegalBasis']).toEqual({ '@id': 'eu-gdpr:A6-1-c' });
  });

  it('names the subject by a pseudonymous URN and states a validity only where the consent expires', () => {
    const plain = consentReceipt(input());
    expect(plain['dpv:hasDataSubject']['@id']).toBe('urn:zweck:contact:7f0e2d1c-3b4a-4c5d-8e6f-7a8b9c0d1e2f');
    expect(plain).not.toHaveProperty('dct:valid');
    const expiring = consentReceipt(input({ expiresAt: new Date('2027-11-01T00:00:00.000Z') }));
    expect(expiring).toHaveProperty('dct:valid', { '@value': '2027-11-01T00:00:00.000Z', '@type': 'xsd:dateTime' });
  });

  it('survives JSON unchanged (it travels as a mail attachment) and names its file after the record', () => {
    const receipt = consentReceipt(input());
    expect(JSON.parse(JSON.stringify(receipt))).toEqual(receipt);
    expect(receiptFileName(receipt['@id'].split(':').at(-1) ?? '')).toBe('consent-receipt-0b9c1f3e-5d1a-4c43-9f0e-6a1d2b3c4d5e.jsonld');
  });
});
