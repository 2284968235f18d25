import { describe, expect, it } from 'vitest';
import { detailRows, type ProvenanceRow } from './contact-details.ts';
import type { CatalogueField } from './contact-fields.ts';

const field = (key: string, label: string, isBuiltin: boolean, type: CatalogueField['type'] = 'text'): CatalogueField => ({
  key,
  label,
  description: '',
  category: 'professional',
  type,
  isBuiltin,
  updatedAt: '2026-01-01T00:00:00.000Z',
  purposes: [],
  contactsWithValue: null,
});

const provenance = (field: string | null, source: string, recordedAt: string): ProvenanceRow => ({
  id: `${field}-${source}-${recordedAt}`,
  field,
  source,
  reference: null,
  legalBasis: 'legitimate_interest',
  actor: 'user:1',
  recordedAt,
});

describe('the details of a contact', () => {
  const catalogue = [
    field('email', 'E-mail', true, 'email'),
    field('organization', 'Organization', true),
    field('phone', 'Phone', true, 'phone'),
    field('city', 'City', false),
    field('notes', 'Notes', false, 'free_text'),
  ];

  it('lists every field with a value, built-in ones first, with the newest provenance of each', () => {
    const rows = detailRows(
      {
        values: {
          email: 'a@example.org',
          first_name: 'Ada',
          last_name: null,
          phone: '030 1234567',
          organization: null,
          notes: 'Met at the fair',
          shoe_size: '44',
        },
        provenance: [
          provenance(null, 'staff_entry', '2026-01-01T10:00:00.000Z'),
          provenance('phone', 'staff_entry', '2026-01-01T10:00:00.000Z'),
          provenance('phone', 'merge', '2026-01-02T10:00:00.000Z'),
          provenance('email', 'staff_entry', '2026-01-01T10:00:00.000Z'),
        ],
      },
      catalogue,
    );
    expect(rows.map((r) => [r.key, r.label, r.type, r.provenance?.source ?? null])).toEqual([
      ['email', 'E-mail', 'email', 'staff_entry'],
      ['first_name', 'First name', null, null],
      ['phone', 'Phone', 'phone', 'merge'],
      ['notes', 'Notes', 'free_text', null],
      ['shoe_size', 'Shoe size', null, null],
    ]);
  });
});
