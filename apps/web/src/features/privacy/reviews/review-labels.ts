import { format, parseISO } from 'date-fns';
import type { Tone } from '../../../components/badge.tsx';

export const SUBJECT_TYPE_LABEL: Record<string, string> = {
  purpose: 'Purpose',
  processor: 'Processor contract',
  contact: 'Contact',
  retention_policy: 'Retention policy',
  retention_run: 'Retention run',
  data_subject_request: 'Data-subject request',
  review: 'Review',
};

/** The subject types offered in the "New review" form, in the order the DPO meets them. */
export const SUBJECT_TYPES = ['purpose', 'processor', 'retention_policy', 'contact', 'data_subject_request'] as const;

export const REVIEW_STATUS: Record<string, { label: string; tone: Tone }> = {
  open: { label: 'Open', tone: 'info' },
  snoozed: { label: 'Snoozed', tone: 'warning' },
  done: { label: 'Done', tone: 'success' },
};

export const EVENT_LABEL: Record<string, string> = {
  created: 'Created',
  reminded: 'Reminder sent to the DPO',
  overdue: 'Overdue: reminded again',
  escalated: 'Escalated to the administrators',
  snoozed: 'Snoozed',
  updated: 'Changed',
  done: 'Done',
  next_created: 'Next review created',
};

export const NOTICE_KIND_LABEL: Record<string, string> = {
  review_due: 'Review due soon',
  review_overdue: 'Review overdue',
  review_escalated: 'Review escalated',
  retention_due: 'Retention deadline coming up',
  retention_approval: 'Retention run awaits approval',
  dsr_received: 'Data-subject request received',
  dsr_due: 'Data-subject request due soon',
  dsr_overdue: 'Data-subject request overdue',
  dsr_extension_untold: 'Extension not yet told to the person (no address on file)',
  art14_due: 'Art. 14 notice due',
};

export const RECURRENCE_OPTIONS = [
  { value: '', label: 'Once' },
  { value: '3', label: 'Every 3 months' },
  { value: '6', label: 'Every 6 months' },
  { value: '12', label: 'Every 12 months' },
  { value: '24', label: 'Every 24 months' },
] as const;

export const recurrenceLabel = (months: number | null): string =>
  months === null ? 'Once' : months === 1 ? 'Every month' : `Every ${months} months`;

/** A calendar day (YYYY-MM-DD) as the DPO reads it; parsed as a local day, so no time zone shifts it. */
export const formatDay = (day: string): string => format(parseISO(day), 'd MMM yyyy');
