import { describe, expect, it } from 'vitest';
import { previewSummary, reasonText } from './preview-summary.ts';

describe('the preview summary', () => {
  it('reads as one line with the reasons in the order given', () => {
    expect(
      previewSummary({
        count: 1204,
        reachable: 980,
        excluded: [
          { code: 'NO_CONSENT', count: 150 },
          { code: 'CONSENT_WITHDRAWN', count: 54 },
          { code: 'ADDRESS_UNDELIVERABLE', count: 20 },
        ],
      }),
    ).toBe('1,204 contacts · 980 reachable · excluded: 150 no consent, 54 withdrew, 20 address bounced');
    expect(previewSummary({ count: 1, reachable: 1, excluded: [] })).toBe('1 contact · 1 reachable');
  });

  it("explains a reason with the policy's own message", () => {
    expect(reasonText('NO_CONSENT')).toBe('There is no consent for this purpose on this channel.');
    expect(reasonText('ADDRESS_UNDELIVERABLE')).toContain('bounced');
  });
});
