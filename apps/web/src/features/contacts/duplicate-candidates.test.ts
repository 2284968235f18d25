import { describe, expect, it } from 'vitest';
import { possibleDuplicateSentence, reasonText, type DuplicateCandidate } from './duplicate-candidates.tsx';

const candidate = (reasons: DuplicateCandidate['reasons']): DuplicateCandidate => ({
  contactId: 'c',
  email: 'a@example.org',
  firstName: 'Ada',
  lastName: null,
  organization: null,
  reasons,
  nameSimilarity: 0.83,
  hiddenFields: [],
});

describe('possible duplicates in words', () => {
  it('names each reason', () => {
    expect(reasonText('phone', 1)).toBe('Same phone number');
    expect(reasonText('name_and_organization', 0.83)).toBe('Similar name (83 % alike) at a similar organization');
  });

  it('says what was found, in the singular or the plural', () => {
    expect(possibleDuplicateSentence([candidate(['phone'])])).toBe(
      'A contact with the same phone number already exists. Open it to check, or save if this is someone else.',
    );
    expect(possibleDuplicateSentence([candidate(['phone']), candidate(['name_and_organization', 'phone'])])).toBe(
      '2 contacts with the same phone number or a similar name at a similar organization already exist. Open them to check, or save if this is someone else.',
    );
  });
});
