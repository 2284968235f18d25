import { describe, expect, it } from 'vitest';
import {
  NEW_FIELD,
  NEW_PURPOSE,
  rolesSeeingField,
  toPurposeInput,
  ZFieldForm,
  ZPurposeForm,
  type PurposeFormInput,
} from './catalogue.schema.ts';

const purpose = (overrides: Partial<PurposeFormInput> = {}): PurposeFormInput => ({
  ...NEW_PURPOSE,
  id: 'event_invitations',
  name: 'Event invitations',
  description: 'Invitations to our events.',
  ...overrides,
});

const issues = (values: unknown) => {
  const result = ZPurposeForm.safeParse(values);
  return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path.join('.'), i.message]));
};

describe('the purpose form', () => {
  it('accepts the cautious default: e-mail consent with double opt-in', () => {
    expect(issues(purpose())).toEqual({});
  });

  it('asks for a written balancing test under legitimate interest, as the API does', () => {
    const li = purpose({ legalBasis: 'legitimate_interest', requiresDoubleOptIn: false, balancingTest: 'Because we want to.' });
    expect(issues(li).balancingTest).toMatch(
      /^Legitimate interest \(Art\. 6\(1\)\(f\) GDPR\) needs a written balancing test of at least 50/,
    );
    expect(issues({ ...li, balancingTest: 'x'.repeat(50) })).toEqual({});
  });

  it('puts double opt-in and the existing-customer exception on their own fields when they do not apply', () => {
    expect(Object.keys(issues(purpose({ channels: ['post'] })))).toEqual(['requiresDoubleOptIn']);
    expect(Object.keys(issues(purpose({ allowsExistingCustomerException: true, isDirectMarketing: false })))).toEqual([
      'allowsExistingCustomerException',
    ]);
    expect(Object.keys(issues(purpose({ channels: [] })))).toContain('channels');
  });

  it('checks the ID of a new purpose only', () => {
    expect(issues(purpose({ id: 'Event Invitations' })).id).toContain('Lower-case letters');
    expect(issues(purpose({ id: 'Legacy ID', isNew: false }))).toEqual({});
  });

  it('turns the strings of the inputs into the API input, dropping the balancing test outside legitimate interest', () => {
    const values = ZPurposeForm.parse(purpose({ retentionMonths: '24', doubleOptInDeadlineHours: '48', balancingTest: 'left over' }));
    expect(toPurposeInput(values)).toMatchObject({ retentionMonths: 24, doubleOptInDeadlineHours: 48, balancingTest: null });
    expect(toPurposeInput(ZPurposeForm.parse(purpose())).retentionMonths).toBeNull();
    expect(issues(purpose({ retentionMonths: '601' })).retentionMonths).toBe('Between 1 and 600 months');
  });
});

describe('the field form', () => {
  it('offers ordinary categories only', () => {
    const base = { ...NEW_FIELD, key: 'industry', label: 'Industry' };
    expect(ZFieldForm.safeParse({ ...base, category: 'professional' }).success).toBe(true);
    expect(ZFieldForm.safeParse({ ...base, category: '' }).success).toBe(false);
    expect(ZFieldForm.safeParse({ ...base, category: 'health' }).success).toBe(false);
  });
});

describe('who sees a field', () => {
  const purposes = [
    { fields: ['email', 'first_name', 'city'], staffRoles: ['marketer' as const] },
    { fields: ['phone', 'first_name'], staffRoles: ['sales' as const] },
  ];

  it('is admin and DPO, and the roles working for a purpose that uses the field', () => {
    expect(rolesSeeingField('city', purposes)).toEqual(['admin', 'marketer', 'dpo']);
    expect(rolesSeeingField('first_name', purposes)).toEqual(['admin', 'marketer', 'sales', 'dpo']);
    expect(rolesSeeingField('notes', purposes)).toEqual(['admin', 'dpo']);
  });

  it('is everyone for the e-mail address', () => {
    expect(rolesSeeingField('email', [])).toEqual(['admin', 'marketer', 'sales', 'dpo']);
  });

  it('goes with the purpose form to the API', () => {
    const values = ZPurposeForm.parse({ ...NEW_PURPOSE, id: 'events', name: 'Events', description: 'Events.', staffRoles: ['marketer'] });
    expect(toPurposeInput(values).staffRoles).toEqual(['marketer']);
    expect(ZPurposeForm.safeParse({ ...NEW_PURPOSE, id: 'events', name: 'E', description: 'E.', staffRoles: ['boss'] }).success).toBe(
      false,
    );
  });
});
