import { describe, expect, it } from 'vitest';
import { NEW_PROCESSOR, toProcessorInput, ZProcessorForm } from './processor-form.schema.ts';

const valid = {
  ...NEW_PROCESSOR,
  name: 'Clickmetric Inc.',
  service: 'Analytics',
  noticeEmail: 'dpa@clickmetric.example',
  contractSignedOn: '2025-09-01',
  country: 'us',
  transferMechanism: 'standard_contractual_clauses' as const,
  dataCategories: ['behavioural' as const],
  purposeIds: ['email_tracking'],
};

describe('the processor form', () => {
  it('accepts a US processor under SCCs, upper-cases the country, and sends no review date as null', () => {
    const parsed = ZProcessorForm.parse(valid);
    expect(parsed.country).toBe('US');
    expect(toProcessorInput(parsed).reviewOn).toBeNull();
  });

  it('names the field of each mistake, the transfer rule included', () => {
    const result = ZProcessorForm.safeParse({ ...valid, country: 'XX', noticeEmail: 'x', purposeIds: [] });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['country', 'noticeEmail', 'purposeIds']));
    const transfer = ZProcessorForm.safeParse({ ...valid, transferMechanism: 'eu_eea' });
    expect(transfer.error!.issues.map((i) => i.path.join('.'))).toEqual(['transferMechanism']);
    expect(transfer.error!.issues[0]!.message).toContain('United States is outside the EU/EEA');
  });
});
