/**
 * A consent receipt in the shape of ISO/IEC TS 27560 (consent record information structure),
 * expressed as JSON-LD with the W3C Data Privacy Vocabulary (DPV), as the standard's Annex A
 * does. Built by hand: no maintained library produces 27560 records. The data subject appears
 * under a pseudonymous identifier; the receipt proves the consent without carrying the address.
 */
export interface ReceiptInput {
  event: {
    id: string;
    contactId: string;
    purposeId: string;
    channel: string;
    kind: 'granted' | 'confirmed' | 'withdrawn' | 'expired' | 'objected';
    occurredAt: Date;
    recordedAt: Date;
    expiresAt: Date | null;
    method: string;
    source: string;
    wordingVersion: string | null;
    wordingHash: string | null;
  };
  purpose: { name: string; description: string; legalBasis: string };
  wording: { language: string; text: string } | null;
  controller: { name: string; privacyNoticeUrl: string };
  issuedAt: Date;
}

/**
 * The ledger columns a receipt needs, as a Prisma `select` (plain data, so this package stays
 * pure): the API's download and the worker's receipt mail read the same fields.
 */
export const RECEIPT_EVENT_SELECT = {
  id: true,
  contactId: true,
  purposeId: true,
  channel: true,
  kind: true,
  occurredAt: true,
  recordedAt: true,
  expiresAt: true,
  method: true,
  source: true,
  wordingVersion: true,
  wordingHash: true,
  purpose: { select: { name: true, description: true, legalBasis: true } },
} as const;

/** A ledger row read with RECEIPT_EVENT_SELECT. */
export type ReceiptEventRow = ReceiptInput['event'] & { purpose: ReceiptInput['purpose'] };

/** Which stored wording the receipt quotes: the version the person saw, with the very hash recorded; null if none was shown. */
export const receiptWordingWhere = (event: Pick<ReceiptEventRow, 'purposeId' | 'wordingVersion' | 'wordingHash'>) =>
  event.wordingVersion === null
    ? null
    : { purposeId: event.purposeId, version: event.wordingVersion, ...(event.wordingHash === null ? {} : { textHash: event.wordingHash }) };

/** The receipt of a row read with RECEIPT_EVENT_SELECT and the wording found with receiptWordingWhere. */
export function receiptFromRow(
  { purpose, ...event }: ReceiptEventRow,
  wording: ReceiptInput['wording'],
  controller: ReceiptInput['controller'],
  issuedAt: Date,
) {
  return consentReceipt({ event, purpose, wording, controller, issuedAt });
}

/** The attachment's file name and media type (JSON-LD, RFC 6839 `+json`). */
export const receiptFileName = (eventId: string): string => `consent-receipt-${eventId}.jsonld`;
export const RECEIPT_MEDIA_TYPE = 'application/ld+json';

const STATUS: Record<ReceiptInput['event']['kind'], string> = {
  granted: 'dpv:ConsentGiven',
  confirmed: 'dpv:ConsentGiven',
  withdrawn: 'dpv:ConsentWithdrawn',
  expired: 'dpv:ConsentExpired',
  objected: 'dpv:ConsentRefused',
};

const LEGAL_BASIS: Record<string, string> = {
  consent: 'eu-gdpr:A6-1-a',
  contract: 'eu-gdpr:A6-1-b',
  legal_obligation: 'eu-gdpr:A6-1-c',
  legitimate_interest: 'eu-gdpr:A6-1-f',
};

/** The receipt of one ledger entry. Deterministic: the same input gives the same document. */
export function consentReceipt({ event, purpose, wording, controller, issuedAt }: ReceiptInput) {
  return {
    '@context': {
      dpv: 'https://w3id.org/dpv#',
      'eu-gdpr': 'https://w3id.org/dpv/legal/eu/gdpr#',
      dct: 'http://purl.org/dc/terms/',
      xsd: 'http://www.w3.org/2001/XMLSchema#',
    },
    '@id': `urn:zweck:consent-record:${event.id}`,
    '@type': 'dpv:ConsentRecord',
    'dct:conformsTo': 'ISO/IEC TS 27560:2023',
    'dct:issued': { '@value': issuedAt.toISOString(), '@type': 'xsd:dateTime' },
    'dpv:hasDataSubject': { '@id': `urn:zweck:contact:${event.contactId}`, '@type': 'dpv:DataSubject' },
    'dpv:hasDataController': { '@type': 'dpv:DataController', 'dct:title': controller.name },
    'dpv:hasJurisdiction': { '@id': 'dpv:EU' },
    'dpv:hasPurpose': {
      '@id': `urn:zweck:purpose:${event.purposeId}`,
      '@type': 'dpv:Purpose',
      'dct:title': purpose.name,
      'dct:description': purpose.description,
    },
    'dpv:hasLegalBasis': { '@id': LEGAL_BASIS[purpose.legalBasis] ?? 'eu-gdpr:A6-1-a' },
    'dpv:hasConsentStatus': { '@id': STATUS[event.kind] },
    'dpv:isIndicatedAtTime': { '@value': event.occurredAt.toISOString(), '@type': 'xsd:dateTime' },
    'dct:created': { '@value': event.recordedAt.toISOString(), '@type': 'xsd:dateTime' },
    ...(event.expiresAt ? { 'dct:valid': { '@value': event.expiresAt.toISOString(), '@type': 'xsd:dateTime' } } : {}),
    'dpv:hasIndicationMethod': { '@id': `urn:zweck:method:${event.method}`, 'dct:description': event.method.replace(/_/g, ' ') },
    'dct:source': event.source,
    'dpv:hasChannel': event.channel,
    'dpv:hasNotice': {
      '@type': 'dpv:ConsentNotice',
      'dct:identifier': event.wordingVersion,
      'dct:language': wording?.language ?? null,
      'dct:description': wording?.text ?? null,
      'dpv:hasHash': event.wordingHash,
      'dct:references': controller.privacyNoticeUrl,
    },
  };
}
