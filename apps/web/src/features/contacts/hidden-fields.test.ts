import { describe, expect, it } from 'vitest';
import type { CatalogueField } from './contact-fields.ts';
import { fieldsHiddenFrom, hiddenFieldsNote } from './hidden-fields.ts';

const field = (key: string, label: string, isBuiltin = false) => ({ key, label, isBuiltin }) as CatalogueField;
const catalogue = [field('email', 'E-mail', true), field('phone', 'Phone', true), field('city', 'City'), field('notes', 'Notes')];

describe('the note on withheld fields', () => {
  it('says nothing when the role sees every field', () => {
    expect(hiddenFieldsNote([], catalogue)).toBeNull();
  });

  it('counts the withheld fields and names them by their catalogue labels, in reading order', () => {
    expect(hiddenFieldsNote(['notes', 'phone'], catalogue)).toEqual({
      title: '2 fields are not shown to your role',
      labels: ['Phone', 'Notes'],
    });
    expect(hiddenFieldsNote(['job_title'], undefined)).toEqual({ title: '1 field is not shown to your role', labels: ['Job title'] });
  });
});

describe('the fields a role is not offered on the new-contact form', () => {
  const purposes = [
    { fields: ['email', 'first_name', 'city'], staffRoles: ['marketer' as const] },
    { fields: ['email', 'phone', 'notes'], staffRoles: ['sales' as const] },
  ];

  it('are those of no purpose the role works for, the built-in ones included even without the catalogue', () => {
    expect(fieldsHiddenFrom('marketer', catalogue, purposes).sort()).toEqual(['last_name', 'notes', 'organization', 'phone']);
    expect(fieldsHiddenFrom('marketer', [], purposes).sort()).toEqual(['last_name', 'organization', 'phone']);
    expect(fieldsHiddenFrom('sales', catalogue, purposes).sort()).toEqual(['city', 'first_name', 'last_name', 'organization']);
  });

  it('are none for admin and DPO', () => {
    for (const role of ['admin', 'dpo'] as const) expect(fieldsHiddenFrom(role, catalogue, purposes)).toEqual([]);
  });
});
