import { describe, expect, it } from 'vitest';
import { toDateTimeLocalValue } from '../../lib/datetime.ts';
import { toCreateContactInput, ZNewContactForm, type NewContactFormInput } from './new-contact.schema.ts';

const base: NewContactFormInput = {
  email: ' ada@example.org ',
  firstName: 'Ada',
  lastName: '',
  phone: '',
  organization: '',
  attributes: { job_title: '', notes: '' },
  hasConsent: false,
  consent: { method: '', wordingVersion: '2026-11', wordingLanguage: 'en', grantedAt: '', source: '' },
};

describe('new contact form', () => {
  it('needs no proof without consent, and sends none', () => {
    const values = ZNewContactForm.parse(base);
    expect(toCreateContactInput(values)).toEqual({
      email: 'ada@example.org',
      firstName: 'Ada',
      lastName: undefined,
      phone: undefined,
      organization: undefined,
      attributes: {},
    });
  });

  it('sends phone, organization and the catalogue fields that have a value, trimmed', () => {
    const values = ZNewContactForm.parse({
      ...base,
      phone: ' 030 1234567 ',
      organization: 'Spree Analytics GmbH ',
      attributes: { job_title: ' Head of Data', notes: '' },
    });
    expect(toCreateContactInput(values)).toMatchObject({
      phone: '030 1234567',
      organization: 'Spree Analytics GmbH',
      attributes: { job_title: 'Head of Data' },
    });
    expect(toCreateContactInput(values)).not.toHaveProperty('allowPossibleDuplicate');
  });

  it('says "save anyway" only when asked to', () => {
    const values = ZNewContactForm.parse(base);
    expect(toCreateContactInput(values, { allowPossibleDuplicate: true })).toMatchObject({ allowPossibleDuplicate: true });
  });

  it('bounds catalogue values as the API does', () => {
    const result = ZNewContactForm.safeParse({ ...base, attributes: { notes: 'x'.repeat(2001) } });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['attributes.notes']);
  });

  it('asks for every part of the proof when consent is ticked, even while the e-mail is wrong', () => {
    const result = ZNewContactForm.safeParse({ ...base, email: 'not-an-address', hasConsent: true });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['email', 'consent.method', 'consent.grantedAt', 'consent.source']));
  });

  it('refuses a time of consent in the future', () => {
    const future = toDateTimeLocalValue(new Date(Date.now() + 3 * 3600_000));
    const result = ZNewContactForm.safeParse({
      ...base,
      hasConsent: true,
      consent: { ...base.consent, method: 'phone', grantedAt: future, source: 'Call' },
    });
    expect(result.error?.issues.map((i) => i.message)).toContain('The time of consent cannot be in the future');
  });

  it('turns the proof into the API input with an ISO time and offset', () => {
    const values = ZNewContactForm.parse({
      ...base,
      hasConsent: true,
      consent: {
        method: 'in_person',
        wordingVersion: '2026-11',
        wordingLanguage: 'de',
        grantedAt: '2026-01-15T14:30',
        source: ' Trade fair Berlin, stand 12 ',
      },
    });
    const input = toCreateContactInput(values);
    expect(input.consent).toMatchObject({
      purposeId: 'newsletter',
      channel: 'email',
      method: 'in_person',
      wordingVersion: '2026-11',
      wordingLanguage: 'de',
      source: 'Trade fair Berlin, stand 12',
    });
    expect(input.consent?.grantedAt).toMatch(/^2026-01-15T14:30:00[+-]\d{2}:\d{2}$/);
  });
});
