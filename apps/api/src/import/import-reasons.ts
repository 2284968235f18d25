import type { FieldProblemCode } from '../contacts/fields.ts';

/**
 * Why a row of an import is rejected, or what a row that is imported will do besides the
 * obvious. Stable codes: the UI filters and explains by code, the stored report (ImportBatch)
 * keeps codes and field names only, never values.
 */
export const REJECTION_CODES = [
  // The row itself cannot be read.
  'MALFORMED_ROW',
  'INVALID_RECORD',
  // Its values (contacts/fields.ts: catalogue, type, Art. 9 screening, purpose limitation).
  'UNKNOWN_FIELD',
  'FIELD_WITHOUT_PURPOSE',
  'INVALID_VALUE',
  'SPECIAL_CATEGORY_DATA',
  'REQUIRED',
  // Its claims of consent and their proof (Art. 7(1)).
  'UNKNOWN_PURPOSE',
  'PURPOSE_NOT_CONSENT_BASED',
  'CHANNEL_NOT_IN_PURPOSE',
  'MISSING_CONSENT_PROOF',
  'INVALID_CONSENT_PROOF',
  'UNKNOWN_WORDING',
  'CONSENT_WITHOUT_PURPOSE',
  // The lawfulness of keeping the data at all (Art. 6(1)).
  'NO_LEGAL_BASIS',
  // The person and the records that exist.
  'SUPPRESSED',
  'DUPLICATE_IN_FILE',
  'POSSIBLE_DUPLICATE',
  'CONTACT_RESTRICTED',
] as const;

export const NOTE_CODES = ['KEPT_EXISTING_VALUE', 'CONSENT_ALREADY_RECORDED', 'CONSENT_SUPERSEDED', 'POSSIBLE_DUPLICATE_ALLOWED'] as const;

export const IMPORT_REASON_CODES = [...REJECTION_CODES, ...NOTE_CODES] as const;
export type ImportReasonCode = (typeof IMPORT_REASON_CODES)[number];

/** Every code the field check produces is a rejection code of the import (the compiler checks it here). */
export const fieldProblemCode = (code: FieldProblemCode): ImportReasonCode => code;

export interface ImportReason {
  code: ImportReasonCode;
  /** The CSV column or JSON path the reason is about. */
  field?: string;
  message: string;
  /** The existing contact the reason names (a merge target is the row's `contactId` instead). */
  contactId?: string;
  /** The earlier row of the same file the reason names. */
  otherRow?: number;
}
