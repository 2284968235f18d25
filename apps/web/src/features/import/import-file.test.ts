import { describe, expect, it } from 'vitest';
import { csvTemplate, formatOf, readImportFile, type ImportGuide } from './import-file.ts';

const guide: ImportGuide = {
  limits: { maxBytes: 100, maxRows: 10 },
  importColumns: [
    'consent_purposes',
    'consent_channel',
    'consent_method',
    'consent_wording_version',
    'consent_language',
    'consent_given_at',
    'consent_source',
    'legal_basis',
  ],
  fields: [
    { key: 'email', label: 'E-mail', type: 'email', isUsable: true },
    { key: 'first_name', label: 'First name', type: 'text', isUsable: true },
    { key: 'last_name', label: 'Last name', type: 'text', isUsable: true },
    { key: 'notes', label: 'Notes', type: 'free_text', isUsable: false },
  ],
  consentPurposes: [
    {
      id: 'newsletter',
      channels: ['email'],
      wordings: [
        { version: '2026-11', language: 'de' },
        { version: '2026-11', language: 'en' },
      ],
    },
  ],
  nonConsentBases: ['legitimate_interest'],
};

describe('import file in the browser', () => {
  it('knows CSV and JSON by name or type', () => {
    expect(formatOf({ name: 'Messe.CSV', type: '' })).toBe('csv');
    expect(formatOf({ name: 'export', type: 'application/json' })).toBe('json');
    expect(formatOf({ name: 'list.xlsx', type: '' })).toBeNull();
  });

  it('refuses what the API would refuse before uploading it', async () => {
    expect(await readImportFile(new File(['x'.repeat(101)], 'a.csv'), 100)).toMatchObject({
      ok: false,
      message: expect.stringContaining('at most 100 bytes') as string,
    });
    expect(await readImportFile(new File([new Uint8Array([0x4d, 0xfc, 0x6e])], 'a.csv'), 100)).toMatchObject({
      ok: false,
      message: expect.stringContaining('UTF-8') as string,
    });
    expect(await readImportFile(new File(['\uFEFFemail\n'], 'a.csv'), 100)).toEqual({
      ok: true,
      file: { name: 'a.csv', size: 9, format: 'csv', content: 'email\n' },
    });
  });

  it('writes a template of the usable fields, the import columns and one example per basis', () => {
    expect(csvTemplate(guide).split('\r\n')).toEqual([
      'email,first_name,last_name,consent_purposes,consent_channel,consent_method,consent_wording_version,consent_language,consent_given_at,consent_source,legal_basis',
      'lena.beispiel@example.org,Lena,Beispiel,newsletter,email,web_form,2026-11,en,2026-10-01T09:30:00+02:00,Newsletter form on our website,',
      'jonas.muster@example.org,Jonas,Muster,,,,,,,,legitimate_interest',
      '',
    ]);
  });
});
