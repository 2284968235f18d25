import { describe, expect, it } from 'vitest';
import { dueState, formatPoints, mayDoSentence } from './lead-labels.ts';

describe('lead labels', () => {
  const now = new Date('2026-12-01T12:00:00Z');

  it('tells overdue, due soon and later apart', () => {
    expect(dueState('2026-12-01T11:59:00Z', now)).toBe('overdue');
    expect(dueState('2026-12-02T11:00:00Z', now)).toBe('due_soon');
    expect(dueState('2026-12-03T12:00:00Z', now)).toBe('later');
  });

  it('says what a rep may do in words, with the reason for a no', () => {
    expect(mayDoSentence({ channel: 'email', allowed: true, purpose: { description: 'the offer you asked about' }, reasonCodes: [] })).toBe(
      'May e-mail this person: the offer you asked about',
    );
    const call = mayDoSentence({ channel: 'phone', allowed: false, purpose: null, reasonCodes: ['NO_CONSENT'] });
    expect(call.startsWith('May not call this person: ')).toBe(true);
    expect(call.length).toBeGreaterThan('May not call this person: '.length);
  });

  it('rounds decayed points to one decimal', () => {
    expect(formatPoints(14.9999)).toBe('15');
    expect(formatPoints(7.46)).toBe('7.5');
  });
});
