import { describe, expect, it } from 'vitest';
import { labelFromKey } from './contact-fields.ts';
import { describeMergePlan, listInWords, type MergePlan } from './merge-plan.ts';

const LABELS: Record<string, string> = { email: 'E-mail', last_name: 'Last name', phone: 'Phone', organization: 'Organization' };
const labelFor = (key: string) => LABELS[key] ?? labelFromKey(key);

const plan: MergePlan = {
  survivorId: 's',
  duplicateId: 'd',
  filled: ['phone', 'organization'],
  discarded: ['email', 'last_name'],
  moved: { consentEvents: 1, provenance: 4, decisions: 0, messages: 2 },
};

describe('the merge preview in words', () => {
  it('lists in words', () => {
    expect(listInWords([])).toBe('');
    expect(listInWords(['A'])).toBe('A');
    expect(listInWords(['A', 'B'])).toBe('A and B');
    expect(listInWords(['A', 'B', 'C'])).toBe('A, B and C');
  });

  it('tells what merging the other record into this one does', () => {
    expect(describeMergePlan(plan, labelFor, { here: 'survivor' })).toEqual([
      'Phone and Organization will be taken from the other record.',
      'Its e-mail and last name will be discarded; the values here stay.',
      '1 consent event, 4 provenance entries and 2 messages of the mail log will move here.',
      'The other record is then removed.',
    ]);
  });

  it('tells what merging this record into the other one does', () => {
    expect(
      describeMergePlan(
        { ...plan, filled: ['job_title'], discarded: [], moved: { consentEvents: 0, provenance: 0, decisions: 0, messages: 0 } },
        labelFor,
        { here: 'duplicate', otherName: 'Clara Hoffmann' },
      ),
    ).toEqual([
      'Job title will be taken from this record.',
      'There is no history to move to Clara Hoffmann.',
      'This record is then removed.',
    ]);
  });
});
