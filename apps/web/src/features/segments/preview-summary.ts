import type { ReasonCode } from '@zweck/policy';
import { isReasonCode, label, reasonMessage } from '../../lib/labels.ts';

/** The send gate's own exclusion besides the policy's reasons: a hard bounce (accuracy, Art. 5(1)(d) GDPR). */
export const ADDRESS_UNDELIVERABLE = 'ADDRESS_UNDELIVERABLE';

/** A few words per reason, for the one-line summary; the full message (packages/policy) sits in the table below it. */
const SHORT: Partial<Record<ReasonCode, string>> = {
  SUBJECT_ERASED: 'erased',
  SUBJECT_RESTRICTED: 'restricted',
  SUPPRESSED: 'on the suppression list',
  CHANNEL_NOT_IN_PURPOSE: 'channel not in purpose',
  OBJECTED_TO_DIRECT_MARKETING: 'objected',
  NO_CONSENT: 'no consent',
  CONSENT_WITHDRAWN: 'withdrew',
  CONSENT_EXPIRED: 'consent expired',
  BALANCING_TEST_MISSING: 'no balancing test',
  PROFILING_NEEDS_CONSENT: 'profiling needs consent',
  DOUBLE_OPT_IN_PENDING: 'not yet confirmed',
  FREQUENCY_CAP_REACHED: 'over the frequency cap',
  QUIET_HOURS: 'in quiet hours',
};

export const shortReason = (code: string): string =>
  code === ADDRESS_UNDELIVERABLE ? 'address bounced' : ((isReasonCode(code) ? SHORT[code] : undefined) ?? label(code).toLowerCase());

export const reasonText = (code: string): string =>
  code === ADDRESS_UNDELIVERABLE
    ? 'The address bounced hard: it does not work, so the send gate skips it (accuracy, Art. 5(1)(d) GDPR; not a consent matter).'
    : reasonMessage(code);

const number = new Intl.NumberFormat('en-GB');
export const formatCount = (n: number): string => number.format(n);

const plural = (n: number, one: string, many: string): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/** "1,204 contacts · 980 reachable · excluded: 150 no consent, 54 withdrew" */
export function previewSummary(preview: {
  count: number;
  reachable: number;
  excluded: readonly { code: string; count: number }[];
}): string {
  const parts = [plural(preview.count, 'contact', 'contacts'), `${formatCount(preview.reachable)} reachable`];
  if (preview.excluded.length > 0) {
    parts.push(`excluded: ${preview.excluded.map((e) => `${formatCount(e.count)} ${shortReason(e.code)}`).join(', ')}`);
  }
  return parts.join(' · ');
}
