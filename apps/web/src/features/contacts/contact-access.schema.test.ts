import { describe, expect, it } from 'vitest';
import { toOpenContactInput, ZOpenContactForm } from './contact-access.schema.ts';

const ID = '0b6f0a4e-4a57-4c43-9d43-7b0a8c1f2d3e';

describe('the reason to open a contact', () => {
  it('needs a reason', () => {
    const result = ZOpenContactForm.safeParse({ reason: '', note: '' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['reason']);
  });

  it('needs a note for `other`, and names the note', () => {
    const result = ZOpenContactForm.safeParse({ reason: 'other', note: '   ' });
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['note'], message: 'Say what the other reason is' })]);
  });

  it('sends the note only where there is one', () => {
    expect(toOpenContactInput(ID, ZOpenContactForm.parse({ reason: 'complaint', note: '' }))).toEqual({ id: ID, reason: 'complaint' });
    expect(toOpenContactInput(ID, ZOpenContactForm.parse({ reason: 'other', note: ' Ticket 4711 ' }))).toEqual({
      id: ID,
      reason: 'other',
      note: 'Ticket 4711',
    });
  });
});
