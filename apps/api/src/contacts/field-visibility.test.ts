import { describe, expect, it } from 'vitest';
import { AppError } from '../trpc/errors.ts';
import { assertFieldsWritable, hiddenFields, isFieldVisible, keepHiddenValues, redactContact } from './field-visibility.ts';

const marketer = new Set(['email', 'first_name', 'last_name', 'organization', 'job_title', 'city']);

const view = {
  id: 'c1',
  email: 'a@example.org',
  firstName: 'Anna',
  lastName: 'Klein',
  phone: '030 1234567',
  phoneE164: '+49301234567',
  organization: 'Isar',
  status: 'active',
  values: { email: 'a@example.org', first_name: 'Anna', phone: '030 1234567', job_title: 'CFO', notes: 'Met at the fair.' },
};

describe('field visibility', () => {
  it('leaves out the columns and values of withheld fields and names them', () => {
    const out = redactContact(view, marketer);
    expect(out).not.toHaveProperty('phone');
    expect(out).not.toHaveProperty('phoneE164');
    expect(out.values).toEqual({ email: 'a@example.org', first_name: 'Anna', job_title: 'CFO' });
    expect(out).toMatchObject({ id: 'c1', email: 'a@example.org', firstName: 'Anna', organization: 'Isar', status: 'active' });
    expect(out.hiddenFields).toEqual(['notes', 'phone']);
  });

  it('drops the provenance entries of withheld fields, keeping the record’s own', () => {
    const out = redactContact(
      { email: 'a@example.org', provenance: [{ field: null }, { field: 'email' }, { field: 'phone' }, { field: 'notes' }] },
      marketer,
    );
    expect(out.provenance).toEqual([{ field: null }, { field: 'email' }]);
  });

  it('names withheld catalogue fields whether or not the contact holds a value', () => {
    const out = redactContact({ id: 'c2', email: 'b@example.org', values: { email: 'b@example.org' } }, marketer, [
      'email',
      'phone',
      'notes',
      'city',
    ]);
    expect(out.hiddenFields).toEqual(['notes', 'phone']);
    expect(out.values).toEqual({ email: 'b@example.org' });
  });

  it('withholds the name too where no purpose of the role uses it', () => {
    const out = redactContact({ email: 'c@example.org', firstName: 'C', lastName: 'D', attributes: { city: 'Bonn' } }, new Set(['email']));
    expect(out).toEqual({ email: 'c@example.org', attributes: {}, hiddenFields: ['city', 'first_name', 'last_name'] });
  });

  it('changes nothing for a role that sees every field', () => {
    const out = redactContact(view, 'all', ['email', 'phone', 'notes']);
    expect(out).toEqual({ ...view, hiddenFields: [] });
    expect(hiddenFields(['phone'], 'all')).toEqual([]);
    expect(isFieldVisible('all', 'notes')).toBe(true);
    expect(isFieldVisible(marketer, 'notes')).toBe(false);
  });

  it('refuses a write of a withheld field, naming it, and lets empty values pass', () => {
    expect(() => assertFieldsWritable({ email: 'a@example.org', first_name: 'Anna', phone: '', notes: undefined }, marketer)).not.toThrow();
    let caught: unknown;
    try {
      assertFieldsWritable({ email: 'a@example.org', phone: '030 1', notes: 'x' }, marketer);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ code: 'FIELD_NOT_VISIBLE', field: 'notes' });
    expect(Object.keys((caught as AppError).fieldErrors ?? {})).toEqual(['notes', 'phone']);
    expect(() => assertFieldsWritable({ phone: '030 1' }, 'all')).not.toThrow();
  });

  it('keeps the stored values of withheld fields in an update', () => {
    const merged = keepHiddenValues(
      { email: 'new@example.org', first_name: 'Anna', phone: undefined },
      { email: 'a@example.org', first_name: 'A', phone: '030 1234567', notes: 'kept' },
      marketer,
    );
    expect(merged).toEqual({ email: 'new@example.org', first_name: 'Anna', phone: '030 1234567', notes: 'kept' });
    expect(keepHiddenValues({ phone: undefined }, { phone: '1' }, 'all')).toEqual({ phone: undefined });
  });
});
