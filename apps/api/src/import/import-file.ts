import { createHash } from 'node:crypto';
import type { ConsentEventKind } from '@zweck/policy';
import { CsvError, parse } from 'csv-parse/sync';
import { AppError } from '../trpc/errors.ts';
import { ZContactsEnvelope, ZPortableContact, type PortableProvenance } from './contacts-format.ts';
import type { ImportReason } from './import-reasons.ts';

/**
 * Reading an import file into records, one per CSV data row or JSON contact, before any check
 * against the catalogue or the database. Problems of the file as a whole (too large, not UTF-8,
 * not CSV, unknown columns) refuse it with an AppError; problems of one row stay with that row.
 */

export const IMPORT_FORMATS = ['csv', 'json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** 5 MiB of UTF-8 and 10,000 rows: what a dry run answers in seconds and a person can review. */
export const IMPORT_LIMITS = { maxBytes: 5 * 1024 * 1024, maxRows: 10_000 } as const;

/** The CSV columns that are not fields of the catalogue: the consent claim and the legal basis. */
export const CSV_IMPORT_COLUMNS = [
  'consent_purposes',
  'consent_channel',
  'consent_method',
  'consent_wording_version',
  'consent_language',
  'consent_given_at',
  'consent_source',
  'legal_basis',
] as const;
type ImportColumn = (typeof CSV_IMPORT_COLUMNS)[number];
const isImportColumn = (name: string): name is ImportColumn => (CSV_IMPORT_COLUMNS as readonly string[]).includes(name);

/** The proof fields of a consent claim, by their name in the file (a CSV column or a JSON path). */
export type ProofField = 'occurredAt' | 'method' | 'source' | 'wordingVersion' | 'wordingLanguage' | 'wordingHash' | 'expiresAt';

export interface RawConsent {
  /** Position among the record's consents (0-based): part of the event's dedupe key. */
  index: number;
  purposeId: string;
  channel: string;
  kind: ConsentEventKind;
  occurredAt: string | null;
  method: string | null;
  source: string | null;
  wordingVersion: string | null;
  wordingLanguage: string | null;
  wordingHash: string | null;
  expiresAt: string | null;
  /** The technical evidence the document brings along (JSON only); the import keeps it under `evidence.original`. */
  evidence: Record<string, unknown> | null;
  /** How the file names each part of the claim, for the report. */
  paths: { purposeId: string; channel: string } & Record<ProofField, string>;
}

export interface ImportRecord {
  /** 1-based among the data rows (CSV: the line after the header is row 1) or the contacts (JSON). */
  row: number;
  /** Values by field key; empty cells are absent. */
  values: Record<string, string>;
  /** The row's own legal basis for non-consent processing, as written; null: the import's default. */
  legalBasis: string | null;
  legalBasisPath: string;
  consents: RawConsent[];
  provenance: PortableProvenance[];
  /** The row could not be read: it is rejected with these and checked no further. */
  unreadable: ImportReason[];
  /** Found while reading, reported together with the checks' findings. */
  findings: ImportReason[];
}

export interface ParsedImportFile {
  /** SHA-256 (hex) of the content as UTF-8, after a byte order mark is removed. */
  fileSha256: string;
  records: ImportRecord[];
}

const fileInvalid = (message: string, field = 'content'): AppError => new AppError('IMPORT_FILE_INVALID', message, field);

const tooLarge = (what: string): AppError =>
  new AppError(
    'IMPORT_TOO_LARGE',
    `${what} An import takes at most ${IMPORT_LIMITS.maxRows.toLocaleString('en-US')} rows and ${IMPORT_LIMITS.maxBytes / 1024 / 1024} MB; split the file.`,
    'content',
  );

/** UTF-8 without its byte order mark, within the size limit; the hash names exactly this text. */
function prepareContent(content: string): { text: string; fileSha256: string } {
  const text = content.startsWith('\uFEFF') ? content.slice(1) : content;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > IMPORT_LIMITS.maxBytes) throw tooLarge(`The file has ${(bytes / 1024 / 1024).toFixed(1)} MB.`);
  // A browser decodes a file that is not UTF-8 with replacement characters (Excel's "CSV" in Windows-1252 does this to umlauts).
  if (text.includes('\uFFFD')) {
    throw fileInvalid('The file is not UTF-8 encoded. Save it as “CSV UTF-8” (Excel) or with UTF-8 encoding, and choose it again.');
  }
  if (text.trim() === '') throw fileInvalid('The file is empty.');
  return { text, fileSha256: createHash('sha256').update(text, 'utf8').digest('hex') };
}

export function parseImportFile(format: ImportFormat, content: string, fieldKeys: ReadonlySet<string>): ParsedImportFile {
  const { text, fileSha256 } = prepareContent(content);
  return { fileSha256, records: format === 'csv' ? parseCsv(text, fieldKeys) : parseJson(text) };
}

/** `,` or `;` (German Excel writes `;`), whichever the header line uses more, outside quotes. */
export function detectDelimiter(text: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && char === ',') commas += 1;
    else if (!quoted && char === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}

const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is not closed',
  INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted cell',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted cell continues after its closing quote',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'a row has another number of cells than the header',
};

function parseCsv(text: string, fieldKeys: ReadonlySet<string>): ImportRecord[] {
  const delimiter = detectDelimiter(text);
  let table: string[][];
  try {
    table = parse(text, { delimiter, relax_column_count: true, bom: false, skip_empty_lines: false });
  } catch (error) {
    // Only the code and the line: csv-parse's own messages quote the cell, which can be personal data.
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw fileInvalid(`The CSV cannot be read${line ? ` near line ${line}` : ''}: ${CSV_ERRORS[error.code] ?? 'it is not valid CSV'}.`);
    }
    throw error;
  }
  const [header, ...rows] = table;
  if (!header) throw fileInvalid('The file is empty.');
  if (rows.length > IMPORT_LIMITS.maxRows) throw tooLarge(`The file has ${rows.length.toLocaleString('en-US')} rows.`);

  const columns = header.map((name) => name.trim().toLowerCase());
  const seen = new Set<string>();
  const unknown: string[] = [];
  for (const name of columns) {
    if (name === '') continue;
    if (seen.has(name)) throw fileInvalid(`The column “${name}” appears twice in the header.`);
    seen.add(name);
    if (!fieldKeys.has(name) && !isImportColumn(name)) unknown.push(name);
  }
  if (!seen.has('email')) throw fileInvalid('The header has no “email” column. The first line names the columns: email, first_name, …');
  if (unknown.length > 0) {
    throw fileInvalid(
      `${unknown.length === 1 ? 'The column' : 'The columns'} ${unknown.map((n) => `“${n.slice(0, 40)}”`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} neither a field of the field catalogue nor an import column. Remove ${unknown.length === 1 ? 'it' : 'them'}, or ask your data protection officer to declare the field.`,
    );
  }

  const records: ImportRecord[] = [];
  rows.forEach((cells, i) => {
    // Blank lines (and Excel's lines of empty cells) are not rows, but keep the numbering of the lines.
    if (cells.every((c) => c.trim() === '')) return;
    const row = i + 1;
    const record: ImportRecord = {
      row,
      values: {},
      legalBasis: null,
      legalBasisPath: 'legal_basis',
      consents: [],
      provenance: [],
      unreadable: [],
      findings: [],
    };
    records.push(record);
    // Fewer cells than columns: the missing ones are empty. More: only empty ones (a trailing delimiter).
    if (cells.slice(columns.length).some((c) => c.trim() !== '')) {
      record.unreadable.push({
        code: 'MALFORMED_ROW',
        message: `This row has ${cells.length} cells; the header has ${columns.length}. A value may contain the delimiter “${delimiter}” without quotes.`,
      });
      return;
    }
    if (cells.some((c, j) => columns[j] === '' && c.trim() !== '')) {
      record.unreadable.push({ code: 'MALFORMED_ROW', message: 'This row has a value in a column without a name in the header.' });
      return;
    }
    const claim: Partial<Record<ImportColumn, string>> = {};
    columns.forEach((name, j) => {
      const value = (cells[j] ?? '').trim();
      if (name === '' || value === '') return;
      if (isImportColumn(name)) claim[name] = value;
      else record.values[name] = value;
    });
    record.legalBasis = claim.legal_basis ?? null;
    const purposes = [...new Set((claim.consent_purposes ?? '').split(/[;|]/).map((p) => p.trim()))].filter((p) => p !== '');
    if (purposes.length === 0) {
      const proof = (['consent_method', 'consent_wording_version', 'consent_given_at', 'consent_source'] as const).filter(
        (c) => claim[c] !== undefined,
      );
      if (proof.length > 0) {
        record.findings.push({
          code: 'CONSENT_WITHOUT_PURPOSE',
          field: 'consent_purposes',
          message: `consent_purposes: the row gives consent proof (${proof.join(', ')}) but names no purpose.`,
        });
      }
      return;
    }
    record.consents = purposes.map((purposeId, index) => ({
      index,
      purposeId,
      channel: claim.consent_channel ?? 'email',
      kind: 'granted',
      occurredAt: claim.consent_given_at ?? null,
      method: claim.consent_method ?? null,
      source: claim.consent_source ?? null,
      wordingVersion: claim.consent_wording_version ?? null,
      wordingLanguage: claim.consent_language ?? 'en',
      wordingHash: null,
      expiresAt: null,
      evidence: null,
      paths: {
        purposeId: 'consent_purposes',
        channel: 'consent_channel',
        occurredAt: 'consent_given_at',
        method: 'consent_method',
        source: 'consent_source',
        wordingVersion: 'consent_wording_version',
        wordingLanguage: 'consent_language',
        wordingHash: 'consent_wording_version',
        expiresAt: 'consent_given_at',
      },
    }));
  });
  return records;
}

function parseJson(text: string): ImportRecord[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw fileInvalid('The file is not valid JSON.');
  }
  const envelope = ZContactsEnvelope.safeParse(document);
  if (!envelope.success) {
    const where = envelope.error.issues.map((i) => i.path.join('.') || 'document').join(', ');
    throw fileInvalid(
      `The JSON is not a Zweck contacts document (format “zweck.contacts”, version 1, a list “contacts”); check: ${where}.`,
    );
  }
  const { contacts } = envelope.data;
  if (contacts.length > IMPORT_LIMITS.maxRows) throw tooLarge(`The file has ${contacts.length.toLocaleString('en-US')} contacts.`);

  return contacts.map((entry, i) => {
    const row = i + 1;
    const record: ImportRecord = {
      row,
      values: {},
      legalBasis: null,
      legalBasisPath: 'legalBasis',
      consents: [],
      provenance: [],
      unreadable: [],
      findings: [],
    };
    const parsed = ZPortableContact.safeParse(entry);
    if (!parsed.success) {
      record.unreadable = parsed.error.issues.slice(0, 5).map((issue) => ({
        code: 'INVALID_RECORD',
        field: issue.path.map(String).join('.') || undefined,
        message: `${issue.path.map(String).join('.') || 'contact'}: ${issue.message}`,
      }));
      return record;
    }
    const contact = parsed.data;
    for (const [key, value] of Object.entries(contact.values)) {
      if (value !== null && value.trim() !== '') record.values[key] = value.trim();
    }
    record.legalBasis = contact.legalBasis ?? null;
    record.provenance = contact.provenance;
    record.consents = contact.consents.map((c, index) => {
      const at = (name: string) => `consents[${index}].${name}`;
      return {
        index,
        purposeId: c.purposeId,
        channel: c.channel,
        kind: c.kind,
        occurredAt: c.occurredAt ?? null,
        method: c.method ?? null,
        source: c.source ?? null,
        wordingVersion: c.wordingVersion ?? null,
        wordingLanguage: c.wordingLanguage ?? null,
        wordingHash: c.wordingHash ?? null,
        expiresAt: c.expiresAt ?? null,
        evidence: c.evidence ?? null,
        paths: {
          purposeId: at('purposeId'),
          channel: at('channel'),
          occurredAt: at('occurredAt'),
          method: at('method'),
          source: at('source'),
          wordingVersion: at('wordingVersion'),
          wordingLanguage: at('wordingLanguage'),
          wordingHash: at('wordingHash'),
          expiresAt: at('expiresAt'),
        },
      };
    });
    return record;
  });
}
