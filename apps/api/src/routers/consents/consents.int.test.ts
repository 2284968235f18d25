import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';

describe('consent receipts (ISO/IEC TS 27560, JSON-LD with DPV)', () => {
  let h: Harness;
  let eventId: string;
  let contactId: string;
  beforeAll(async () => {
    h = await createHarness();
    ({ id: contactId } = await h.callerFor('marketer').caller.contacts.create({
      email: 'receipt@example.org',
      consent: {
        purposeId: 'newsletter',
        channel: 'email',
        method: 'in_person',
        wordingVersion: '2026-11',
        wordingLanguage: 'de',
        grantedAt: '2026-11-20T15:00:00.000Z',
        source: 'Messe Köln',
      },
    }));
    eventId = (await h.db.consentEvent.findFirstOrThrow({ where: { contactId }, select: { id: true } })).id;
  });
  afterAll(async () => h?.close());

  it('names the record, the pseudonymous subject, purpose, basis, status, time, method and the exact wording with its hash', async () => {
    const receipt = await h.callerFor('dpo').caller.consents.receipt({ eventId });
    const wording = await h.db.consentWording.findFirstOrThrow({ where: { purposeId: 'newsletter', version: '2026-11', language: 'de' } });
    expect(receipt).toMatchObject({
      '@id': `urn:zweck:consent-record:${eventId}`,
      '@type': 'dpv:ConsentRecord',
      'dct:conformsTo': 'ISO/IEC TS 27560:2023',
      'dpv:hasDataSubject': { '@id': `urn:zweck:contact:${contactId}` },
      'dpv:hasPurpose': { '@id': 'urn:zweck:purpose:newsletter', 'dct:title': 'Newsletter' },
      'dpv:hasLegalBasis': { '@id': 'eu-gdpr:A6-1-a' },
      'dpv:hasConsentStatus': { '@id': 'dpv:ConsentGiven' },
      'dpv:isIndicatedAtTime': { '@value': '2026-11-20T15:00:00.000Z' },
      'dct:source': 'Messe Köln',
      'dpv:hasNotice': {
        'dct:identifier': '2026-11',
        'dct:language': 'de',
        'dct:description': wording.text,
        'dpv:hasHash': wording.textHash,
      },
    });
    expect((receipt['@context'] as Record<string, string>).dpv).toBe('https://w3id.org/dpv#');
    // Proof without the address: nothing in the receipt identifies the person directly.
    expect(JSON.stringify(receipt)).not.toContain('receipt@example.org');
    // One audited read of the contact, named by its view, with the ledger entry's ID and no personal data.
    const reads = await h.db.auditEvent.findMany({ where: { action: 'contact.read', entityId: contactId }, select: { details: true } });
    expect(reads).toEqual([{ details: { view: 'consents.receipt', basis: 'dpo', reason: null, grantId: null, eventId } }]);
  });

  it('is for the DPO and admins only', async () => {
    const error = await h
      .callerFor('marketer')
      .caller.consents.receipt({ eventId })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('FORBIDDEN');
  });
});
