import { describe, expect, it } from 'vitest';
import { attributeFields, fieldKeyOf, inSentence, labelFromKey, valuePathOf, type CatalogueField } from './contact-fields.ts';

const field = (key: string, extra: Partial<CatalogueField> = {}): CatalogueField => ({
  key,
  label: labelFromKey(key),
  description: '',
  category: 'professional',
  type: 'text',
  isBuiltin: false,
  updatedAt: '2026-01-01T00:00:00.000Z',
  purposes: [{ id: 'product_updates', name: 'Product updates' }],
  contactsWithValue: 0,
  ...extra,
});

describe('catalogue fields in the contact forms', () => {
  it('maps catalogue keys to form paths and back', () => {
    expect(valuePathOf('first_name')).toBe('firstName');
    expect(valuePathOf('job_title')).toBe('attributes.job_title');
    expect(fieldKeyOf('firstName')).toBe('first_name');
    expect(fieldKeyOf('attributes.job_title')).toBe('job_title');
    expect(fieldKeyOf('email')).toBe('email');
  });

  it('makes words of a key where the catalogue has no label', () => {
    expect(labelFromKey('job_title')).toBe('Job title');
    expect(inSentence('Last name')).toBe('last name');
    expect(inSentence('E-mail')).toBe('e-mail');
    expect(inSentence('URL')).toBe('URL');
  });

  it('offers the non-built-in fields a purpose uses, and those the record already holds', () => {
    const catalogue = [field('email', { isBuiltin: true }), field('job_title'), field('hobby', { purposes: [] }), field('city')];
    expect(attributeFields(catalogue).map((f) => f.key)).toEqual(['job_title', 'city']);
    expect(attributeFields(catalogue, ['hobby']).map((f) => f.key)).toEqual(['job_title', 'hobby', 'city']);
  });
});
