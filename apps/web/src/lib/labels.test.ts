import { describe, expect, it } from 'vitest';
import { label, reasonMessage, shorten } from './labels.ts';

describe('labels', () => {
  it('names known codes and humanizes unknown ones', () => {
    expect(label('in_person')).toBe('In person');
    expect(label('some_new_thing')).toBe('Some new thing');
    expect(label(null)).toBe('—');
  });

  it('explains reason codes with the policy package wording', () => {
    expect(reasonMessage('NO_CONSENT')).toBe('There is no consent for this purpose on this channel.');
    expect(reasonMessage('NOT_A_CODE')).toBe('No description for this reason code.');
  });

  it('shortens digests without the algorithm prefix', () => {
    expect(shorten('sha256:0123456789abcdef0123')).toBe('0123456789ab…');
    expect(shorten('short')).toBe('short');
  });
});
