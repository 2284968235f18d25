import type { Tone } from '../../components/badge.tsx';
import { label, reasonMessage } from '../../lib/labels.ts';

export const LEAD_TABS = [
  { tab: 'mine', label: 'Mine' },
  { tab: 'due_soon', label: 'Due soon' },
  { tab: 'overdue', label: 'Overdue' },
  { tab: 'settled', label: 'Answered' },
] as const;
export type LeadTab = (typeof LEAD_TABS)[number]['tab'];

export const isLeadTab = (value: string | null): value is LeadTab => LEAD_TABS.some((t) => t.tab === value);

/** Why a rep sends a lead back to nurturing; the API takes the code (ZRecycleReason). */
export const RECYCLE_REASONS = [
  { value: 'not_ready', label: 'Not ready to buy yet' },
  { value: 'no_budget', label: 'No budget' },
  { value: 'no_response', label: 'Did not respond' },
  { value: 'not_decision_maker', label: 'Not the decision maker' },
  { value: 'no_fit', label: 'Our offer does not fit' },
] as const;
export type RecycleReason = (typeof RECYCLE_REASONS)[number]['value'];

export const recycleReasonLabel = (code: string | null): string => RECYCLE_REASONS.find((r) => r.value === code)?.label ?? label(code);

export const LEAD_STATUS: Record<'open' | 'accepted' | 'recycled', { label: string; tone: Tone }> = {
  open: { label: 'Open', tone: 'info' },
  accepted: { label: 'Accepted', tone: 'success' },
  recycled: { label: 'Back to nurturing', tone: 'muted' },
};

export const TRIGGER_LABEL: Record<string, string> = {
  threshold: 'Score reached the threshold',
  journey: 'Journey step',
  manual: 'Handed over by a marketer',
};

/** The open lead's due state at `now`: overdue, due within a day, or later. */
export function dueState(dueAt: string | Date, now: Date): 'overdue' | 'due_soon' | 'later' {
  const due = new Date(dueAt).getTime();
  if (due <= now.getTime()) return 'overdue';
  return due - now.getTime() <= 24 * 3_600_000 ? 'due_soon' : 'later';
}

const CHANNEL_VERB: Record<string, string> = { email: 'e-mail', phone: 'call', sms: 'text', post: 'write by post to' };

/**
 * One line of the "What you may do" card, in the rep's words: "May e-mail about: <purpose
 * description>" or "May not call: <reason>".
 */
export function mayDoSentence(item: {
  channel: string;
  allowed: boolean;
  purpose: { description: string } | null;
  reasonCodes: readonly string[];
}): string {
  const verb = CHANNEL_VERB[item.channel] ?? item.channel;
  if (item.allowed) return `May ${verb} this person${item.purpose ? `: ${item.purpose.description}` : ''}`;
  const first = item.reasonCodes[0];
  return `May not ${verb} this person${first ? `: ${reasonMessage(first)}` : ''}`;
}

/** Points with one decimal, as the explanation shows them after decay. */
export const formatPoints = (points: number): string => (Math.round(points * 10) / 10).toLocaleString('en', { maximumFractionDigits: 1 });
