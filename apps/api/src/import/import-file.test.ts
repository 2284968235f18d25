import { describe, expect, it } from 'vitest';
import { AppError } from '../trpc/errors.ts';
import { detectDelimiter, IMPORT_LIMITS, parseImportFile } from './import-file.ts';

const FIELDS = new Set(['email', 'first_name', 'last_name', 'phone', 'organization', 'notes']);

const refusal = (run: () => unknown): AppError => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the file to be refused');
};

describe('reading an import file', () => {
  it('takes the delimiter the header uses, outside quotes', () => {
    expect(detectDelimiter('email,first_name\na;b,c')).toBe(',');
    expect(detectDelimiter('email;first_name;"a,b,c"\n')).toBe(';');
    expect(detectDelimiter('email\n')).toBe(',');
  });

  it('reads cells by header, drops empty ones, and numbers rows as data lines (blank lines keep the numbering)', () => {
    const { records } = parseImportFile(
      'csv',
      'Email ;First_Name;notes\r\na@example.org; Ann ;\r\n\r\n;;\r\nb@example.org;"Bo; the second";\r\n',
      FIELDS,
    );
    expect(records.map((r) => [r.row, r.values])).toEqual([
      [1, { email: 'a@example.org', first_name: 'Ann' }],
      [4, { email: 'b@example.org', first_name: 'Bo; the second' }],
    ]);
  });

  it('splits consent purposes on ; or | and takes the proof columns for each', () => {
    const [record] = parseImportFile(
      'csv',
      'email,consent_purposes,consent_method,consent_wording_version,consent_given_at,consent_source\n' +
        'a@example.org,newsletter|product_updates,web_form,2026-11,2026-10-01T09:00:00Z,Form\n',
      FIELDS,
    ).records;
    expect(record?.consents.map((c) => [c.index, c.purposeId, c.channel, c.kind, c.wordingLanguage, c.method])).toEqual([
      [0, 'newsletter', 'email', 'granted', 'en', 'web_form'],
      [1, 'product_updates', 'email', 'granted', 'en', 'web_form'],
    ]);
  });

  it('reports proof without a purpose, and rows with more cells than the header, on the row', () => {
    const { records } = parseImportFile(
      'csv',
      'email,consent_method,consent_source\na@example.org,web_form,Form\nb@example.org,x,y,z\nc@example.org,,,\n',
      FIELDS,
    );
    expect(records.map((r) => [r.row, [...r.unreadable, ...r.findings].map((x) => [x.code, x.field])])).toEqual([
      [1, [['CONSENT_WITHOUT_PURPOSE', 'consent_purposes']]],
      [2, [['MALFORMED_ROW', undefined]]],
      [3, []],
    ]);
  });

  it('hashes the text without its byte order mark', () => {
    const plain = parseImportFile('csv', 'email\na@example.org\n', FIELDS);
    const withBom = parseImportFile('csv', '\uFEFFemail\na@example.org\n', FIELDS);
    expect(withBom.fileSha256).toBe(plain.fileSha256);
    expect(withBom.records[0]?.values).toEqual({ email: 'a@example.org' });
  });

  it('refuses a file as a whole when it cannot be read, without quoting its content', () => {
    expect(refusal(() => parseImportFile('csv', 'email,city\na@example.org,M\uFFFDnchen\n', FIELDS))).toMatchObject({
      code: 'IMPORT_FILE_INVALID',
      message: expect.stringContaining('not UTF-8') as string,
    });
    const quote = refusal(() => parseImportFile('csv', 'email,notes\na@example.org,"secret note\n', FIELDS));
    expect(quote.code).toBe('IMPORT_FILE_INVALID');
    expect(quote.message).not.toContain('secret');
    expect(refusal(() => parseImportFile('csv', 'first_name\nAnn\n', FIELDS)).message).toContain('no “email” column');
    expect(refusal(() => parseImportFile('csv', 'email,email\n', FIELDS)).message).toContain('appears twice');
    expect(refusal(() => parseImportFile('csv', ' \n', FIELDS)).message).toBe('The file is empty.');
    expect(refusal(() => parseImportFile('csv', `email,notes\na@example.org,${'x'.repeat(IMPORT_LIMITS.maxBytes)}\n`, FIELDS)).code).toBe(
      'IMPORT_TOO_LARGE',
    );
    expect(refusal(() => parseImportFile('json', '{"format":', FIELDS)).message).toBe('The file is not valid JSON.');
    expect(refusal(() => parseImportFile('json', '{"format":"other","version":1,"contacts":[]}', FIELDS)).message).toContain(
      'check: format',
    );
  });
});
