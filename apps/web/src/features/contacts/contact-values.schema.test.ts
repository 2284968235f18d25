import { describe, expect, it } from 'vitest';
import {
  contactValuesFromStored,
  placeServerError,
  toContactValuesInput,
  toDuplicateProbe,
  ZContactValuesForm,
} from './contact-values.schema.ts';

describe('contact values in the forms', () => {
  it('fills the edit form from stored values by field key, with a slot for every shown field', () => {
    const form = contactValuesFromStored(
      { email: 'a@example.org', first_name: 'Ada', last_name: null, phone: '030 1234567', organization: null, city: 'Berlin' },
      ['job_title', 'city'],
    );
    expect(form).toEqual({
      email: 'a@example.org',
      firstName: 'Ada',
      lastName: '',
      phone: '030 1234567',
      organization: '',
      attributes: { job_title: '', city: 'Berlin' },
    });
  });

  it('sends empty values as absent, so that an edit removes them', () => {
    const values = ZContactValuesForm.parse({
      email: 'a@example.org',
      firstName: '',
      lastName: 'Lovelace',
      phone: ' ',
      organization: '',
      attributes: { job_title: '', city: 'Berlin' },
    });
    expect(toContactValuesInput(values)).toEqual({
      email: 'a@example.org',
      firstName: undefined,
      lastName: 'Lovelace',
      phone: undefined,
      organization: undefined,
      attributes: { city: 'Berlin' },
    });
  });
});

describe('the live duplicate check', () => {
  it('asks nothing until there is something to go on', () => {
    expect(toDuplicateProbe({ email: 'ada@exa', firstName: 'Ada', phone: '030' })).toBeNull();
    expect(toDuplicateProbe({ lastName: 'Lovelace' })).toBeNull();
    expect(toDuplicateProbe({ organization: 'Analytical Engines Ltd' })).toBeNull();
  });

  it('asks with a whole address, a phone number or a name with an organization', () => {
    expect(toDuplicateProbe({ email: ' ada@example.org ' })).toEqual({ email: 'ada@example.org' });
    expect(toDuplicateProbe({ phone: '+49 (30) 123-4567' })).toEqual({ phone: '+49 (30) 123-4567' });
    expect(toDuplicateProbe({ firstName: 'Ada', lastName: '', organization: 'Analytical Engines' })).toEqual({
      firstName: 'Ada',
      organization: 'Analytical Engines',
    });
  });

  it('leaves out a name without an organization', () => {
    expect(toDuplicateProbe({ phone: '030 1234567', firstName: 'Ada', lastName: 'Lovelace' })).toEqual({ phone: '030 1234567' });
  });
});

describe('server errors on the form', () => {
  const shown = new Set(['email', 'firstName', 'lastName', 'phone', 'organization', 'attributes.job_title', 'attributes.notes']);
  const hasPath = (path: string) => shown.has(path);

  it('puts the field catalogue’s messages beside their fields, without the key in front', () => {
    const placed = placeServerError(
      {
        field: 'phone',
        fieldErrors: {
          phone: ['phone: not a valid phone number (numbers without +country code are read as DE)'],
          first_name: ['first_name: at most 200 characters'],
          notes: ['notes: this text seems to contain health data ("hospital"), which may not be stored (Art. 9(1) GDPR)'],
        },
        message: 'Some values do not fit the field catalogue.',
      },
      hasPath,
    );
    expect(placed.fields).toEqual([
      { path: 'phone', message: 'Not a valid phone number (numbers without +country code are read as DE)' },
      { path: 'firstName', message: 'At most 200 characters' },
      {
        path: 'attributes.notes',
        message: 'This text seems to contain health data ("hospital"), which may not be stored (Art. 9(1) GDPR)',
      },
    ]);
    expect(placed.general).toBeNull();
  });

  it('names a field the form does not show above the form', () => {
    const placed = placeServerError(
      { field: 'shoe_size', fieldErrors: { shoe_size: ['shoe_size: there is no such field in the field catalogue'] }, message: 'x' },
      hasPath,
    );
    expect(placed).toEqual({ fields: [], general: 'shoe_size: there is no such field in the field catalogue' });
  });

  it('puts a single-field domain error (e-mail taken) beside its field with the plain message', () => {
    const placed = placeServerError(
      { field: 'email', fieldErrors: null, message: 'A contact with this e-mail address already exists.' },
      hasPath,
    );
    expect(placed).toEqual({ fields: [{ path: 'email', message: 'A contact with this e-mail address already exists.' }], general: null });
  });

  it('shows anything else above the form', () => {
    expect(placeServerError({ field: null, fieldErrors: null, message: 'The server could not be reached.' }, hasPath)).toEqual({
      fields: [],
      general: 'The server could not be reached.',
    });
  });
});
