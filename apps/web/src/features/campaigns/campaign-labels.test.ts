import { describe, expect, it } from 'vitest';
import { describeCounts, describeReason, isActive, progressShare, shareOf } from './campaign-labels.ts';

const counts = { total: 10, pending: 2, sent: 5, skipped: 2, failed: 1, bounced: 0 };

describe('campaign labels', () => {
  it('explains the policy’s codes from packages/policy, with the article', () => {
    const reason = describeReason('CONSENT_WITHDRAWN');
    expect(reason.title).toBe('Consent withdrawn');
    expect(reason.message).toBe('The person withdrew their consent for this purpose on this channel.');
    expect(reason.article).toBe('Art. 7(3) GDPR');
  });

  it('explains the campaign’s own skip and refusal codes', () => {
    expect(describeReason('ADDRESS_UNDELIVERABLE')).toMatchObject({ title: 'Address undeliverable', article: null });
    expect(describeReason('CAMPAIGN_CANCELLED').title).toBe('Campaign cancelled');
    expect(describeReason('SUBJECT_ERASED')).toMatchObject({ title: 'Erased', article: 'Art. 17 GDPR' });
    expect(describeReason('TEMPLATE_INVALID').message).toContain('unsubscribe link');
    expect(describeReason('SOMETHING_NEW')).toMatchObject({ title: 'Something new', message: 'No description for this reason code.' });
  });

  it('puts the counts in words and shares', () => {
    expect(describeCounts(counts)).toBe('5 sent, 2 skipped, 1 failed, 2 pending');
    expect(describeCounts({ ...counts, total: 0 })).toBe('No recipients yet');
    expect(shareOf(5, 10)).toBe(50);
    expect(shareOf(1, 0)).toBe(0);
    expect(progressShare(counts)).toBe(80);
  });

  it('follows scheduled, running and paused campaigns live, nothing else', () => {
    expect(['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'].filter((s) => isActive(s as never))).toEqual([
      'scheduled',
      'running',
      'paused',
    ]);
  });
});
