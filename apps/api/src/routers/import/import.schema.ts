import { z } from 'zod';
import { NON_CONSENT_BASES } from '../../import/import-check.ts';
import { IMPORT_FORMATS, IMPORT_LIMITS } from '../../import/import-file.ts';
import { IMPORT_REASON_CODES } from '../../import/import-reasons.ts';
import { ZCommittedRow } from '../../import/import.service.ts';

const ZSha256 = z.string().regex(/^[0-9a-f]{64}$/, 'Not a SHA-256 in hex');

/** A file as the browser read it (File.text()); the service checks its size in bytes, rows and encoding. */
export const ZImportInput = z.object({
  format: z.enum(IMPORT_FORMATS),
  // Characters never outnumber UTF-8 bytes: this bounds the request before the byte check.
  content: z.string().min(1, 'The file is empty').max(IMPORT_LIMITS.maxBytes, 'The file is larger than 5 MB; split it'),
  /** Where the file came from, for the provenance of every contact in it (Art. 14(2)(f)). */
  source: z.string().trim().min(1, 'Say where the file came from, e.g. “Trade fair list, partner X”').max(200, 'At most 200 characters'),
  /** The basis of rows that claim no consent and name no basis themselves. */
  defaultLegalBasis: z.enum(NON_CONSENT_BASES).nullable().default(null),
  allowPossibleDuplicates: z.boolean().default(false),
});

export const ZImportCommitInput = ZImportInput.extend({
  mode: z.enum(['all_or_nothing', 'valid_rows_only']),
  expectedSha256: ZSha256,
  expectedReportDigest: ZSha256.optional(),
});

export const ZImportReason = z.object({
  code: z.enum(IMPORT_REASON_CODES),
  field: z.string().optional(),
  message: z.string(),
  contactId: z.string().optional(),
  otherRow: z.number().int().optional(),
});

const ZOutcome = z.enum(['create', 'merge', 'reject']);

export const ZDryRunOutput = z.object({
  fileSha256: z.string(),
  reportDigest: z.string(),
  summary: z.object({ create: z.number().int(), merge: z.number().int(), reject: z.number().int() }),
  rows: z.array(
    z.object({
      row: z.number().int(),
      outcome: ZOutcome,
      contactId: z.string().nullable(),
      reasons: z.array(ZImportReason),
      consents: z.number().int(),
    }),
  ),
});

export const ZCommitOutput = z.object({
  batchId: z.string(),
  replayed: z.boolean(),
  fileSha256: z.string(),
  mode: z.enum(['all_or_nothing', 'valid_rows_only']),
  summary: z.object({ created: z.number().int(), merged: z.number().int(), rejected: z.number().int(), consentEvents: z.number().int() }),
  rows: z.array(ZCommittedRow),
});

export const ZImportGuide = z.object({
  limits: z.object({ maxBytes: z.number(), maxRows: z.number() }),
  importColumns: z.array(z.string()),
  fields: z.array(z.object({ key: z.string(), label: z.string(), type: z.string(), isUsable: z.boolean() })),
  consentPurposes: z.array(
    z.object({ id: z.string(), channels: z.array(z.string()), wordings: z.array(z.object({ version: z.string(), language: z.string() })) }),
  ),
  nonConsentBases: z.array(z.enum(NON_CONSENT_BASES)),
});
