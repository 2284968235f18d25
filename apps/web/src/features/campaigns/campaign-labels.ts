import type { Tone } from '../../components/badge.tsx';
import { isReasonCode, reasonArticle, reasonMessage } from '../../lib/labels.ts';
import type { RouterOutputs } from '../../lib/trpc.ts';

export type Campaign = RouterOutputs['campaigns']['get'];
export type CampaignListItem = RouterOutputs['campaigns']['list'][number];
export type CampaignStatus = Campaign['status'];
export type OutcomeCounts = Campaign['counts'];
export type RecipientRow = RouterOutputs['campaigns']['recipients']['items'][number];
export type RecipientOutcome = RecipientRow['outcome'];

export const CAMPAIGN_STATUS: Record<CampaignStatus, { label: string; tone: Tone }> = {
  draft: { label: 'Draft', tone: 'neutral' },
  scheduled: { label: 'Scheduled', tone: 'info' },
  running: { label: 'Running', tone: 'info' },
  paused: { label: 'Paused', tone: 'warning' },
  completed: { label: 'Completed', tone: 'success' },
  cancelled: { label: 'Cancelled', tone: 'muted' },
};

/** The outcomes in the order the UI shows them; the colours of the bars follow the tones. */
export const OUTCOMES: readonly RecipientOutcome[] = ['sent', 'skipped', 'failed', 'bounced', 'pending'];

export const OUTCOME: Record<RecipientOutcome, { label: string; tone: Tone; hint: string }> = {
  sent: { label: 'Sent', tone: 'success', hint: 'The mail server accepted the message.' },
  skipped: { label: 'Skipped', tone: 'warning', hint: 'Not sent: the policy, or the campaign, said no. The reason is recorded.' },
  failed: { label: 'Failed', tone: 'danger', hint: 'The mail server refused the message; its answer is recorded.' },
  bounced: { label: 'Bounced', tone: 'danger', hint: 'The message came back as undeliverable.' },
  pending: { label: 'Pending', tone: 'muted', hint: 'Not decided yet.' },
};

/** Statuses in which the campaign's workflow runs: the page follows it live and offers pause, resume and cancel. */
export const isActive = (status: CampaignStatus): boolean => status === 'scheduled' || status === 'running' || status === 'paused';

/**
 * Reasons of the campaign itself, beside the policy's reason codes (packages/policy explains
 * those): why one recipient was skipped, or why the workflow refused the whole campaign.
 */
const CAMPAIGN_REASONS: Record<string, { title: string; message: string }> = {
  ADDRESS_UNDELIVERABLE: {
    title: 'Address undeliverable',
    message: 'An earlier message to this address bounced hard; Zweck does not mail it again until the address is corrected.',
  },
  CAMPAIGN_CANCELLED: {
    title: 'Campaign cancelled',
    message: 'The campaign was cancelled before this person’s turn came.',
  },
  SUBJECT_ERASED: {
    title: 'Erased',
    message: 'The person has been erased (or their erasure is pending); nothing may be processed.',
  },
  // Why the workflow refused to start a campaign.
  CHANNEL_NOT_IN_PURPOSE: { title: 'Channel not in purpose', message: 'The purpose does not cover this channel.' },
  TEMPLATE_NOT_FOR_MARKETING: {
    title: 'Template not for marketing',
    message: 'The purpose is direct marketing, and the template is not a marketing template.',
  },
  TEMPLATE_INVALID: {
    title: 'Template incomplete',
    message:
      'The template does not pass the check: a marketing mail needs the unsubscribe link, the preference center link, the privacy notice link and the imprint in both bodies, and only known placeholders.',
  },
  SEGMENT_INVALID: { title: 'Segment unreadable', message: 'The segment’s definition could not be read.' },
  CAMPAIGN_NOT_FOUND: { title: 'Campaign missing', message: 'The campaign no longer exists.' },
  CAMPAIGN_NOT_STARTABLE: { title: 'Not startable', message: 'The campaign had already been started or ended.' },
};

/** The policy's short names for its codes; the full sentence comes from packages/policy. */
const POLICY_TITLES: Record<string, string> = {
  SUBJECT_RESTRICTED: 'Processing restricted',
  SUPPRESSED: 'On the suppression list',
  OBJECTED_TO_DIRECT_MARKETING: 'Objected to direct marketing',
  NO_CONSENT: 'No consent',
  CONSENT_WITHDRAWN: 'Consent withdrawn',
  CONSENT_EXPIRED: 'Consent expired',
  BALANCING_TEST_MISSING: 'No balancing test',
  PROFILING_NEEDS_CONSENT: 'Profiling needs consent',
  DOUBLE_OPT_IN_PENDING: 'Double opt-in not confirmed',
  FREQUENCY_CAP_REACHED: 'Frequency cap reached',
  QUIET_HOURS: 'Quiet hours',
  FIELD_NOT_IN_PURPOSE: 'Field not in purpose',
};

const humanize = (code: string): string => {
  const words = code.toLowerCase().replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export interface ReasonText {
  code: string;
  title: string;
  message: string;
  article: string | null;
}

/** A reason code in words: a short title, the sentence behind it and, for the policy's codes, the article. */
export function describeReason(code: string): ReasonText {
  const own = CAMPAIGN_REASONS[code];
  const policy = isReasonCode(code);
  return {
    code,
    title: own?.title ?? POLICY_TITLES[code] ?? humanize(code),
    message: policy ? reasonMessage(code) : (own?.message ?? 'No description for this reason code.'),
    article: policy ? reasonArticle(code) : null,
  };
}

/** Whole-number percentages of `total` that add up to at most 100, for the bars' widths. */
export function shareOf(count: number, total: number): number {
  if (total <= 0 || count <= 0) return 0;
  return Math.min(100, (count / total) * 100);
}

/** Done so far: everything but pending, of everyone resolved. */
export function progressShare(counts: OutcomeCounts): number {
  return counts.total === 0 ? 0 : Math.round(((counts.total - counts.pending) / counts.total) * 100);
}

export const formatCount = (n: number): string => n.toLocaleString('en-GB');

/** "12 sent, 3 skipped, 1 failed": a bar's numbers in words, for assistive technology and tooltips. */
export function describeCounts(counts: OutcomeCounts): string {
  if (counts.total === 0) return 'No recipients yet';
  return OUTCOMES.filter((o) => counts[o] > 0)
    .map((o) => `${formatCount(counts[o])} ${OUTCOME[o].label.toLowerCase()}`)
    .join(', ');
}
