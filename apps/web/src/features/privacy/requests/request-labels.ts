import type { Tone } from '../../../components/badge.tsx';

export const TYPE_LABEL: Record<string, string> = {
  access: 'Access (Art. 15)',
  rectification: 'Rectification (Art. 16)',
  erasure: 'Erasure (Art. 17)',
  restriction: 'Restriction (Art. 18)',
  portability: 'Portability (Art. 20)',
  objection: 'Objection (Art. 21)',
  origin_inquiry: 'Origin of the data',
};
export const TYPES = Object.keys(TYPE_LABEL);

export const STATUS: Record<string, { label: string; tone: Tone }> = {
  awaiting_verification: { label: 'Awaiting verification', tone: 'warning' },
  open: { label: 'Open', tone: 'info' },
  in_progress: { label: 'In progress', tone: 'info' },
  completed: { label: 'Completed', tone: 'success' },
  rejected: { label: 'Rejected', tone: 'muted' },
};

export const IDENTITY_METHOD_LABEL: Record<string, string> = {
  email_verification: 'E-mail verification link',
  known_address: 'Came from the address we hold',
  in_person: 'In person',
  id_document: 'Identity document seen',
  phone_callback: 'Called back on the number we hold',
  other: 'Other',
};

export const INTAKE_LABEL: Record<string, string> = { staff: 'Entered by staff', web_form: 'Public request form' };

export const EVENT_LABEL: Record<string, string> = {
  received: 'Received',
  verified: 'Identity verified',
  verification_sent: 'Verification link mailed',
  verification_sent_skipped: 'Verification link not mailed (policy)',
  verification_sent_failed: 'Verification link refused by the mail server',
  extended: 'Period extended',
  extension_notice_sent: 'Person told of the extension and its reason',
  extension_notice_sent_skipped: 'Extension notice not mailed (policy)',
  extension_notice_sent_failed: 'Extension notice refused by the mail server',
  extension_notice_no_address: 'Extension not mailed: no address on file, tell the person yourself',
  status_changed: 'Status changed',
  action_taken: 'Action taken',
  notices_recorded: 'Art. 19 notices recorded',
  notice_sent: 'Art. 19 notice sent',
  notice_failed: 'Art. 19 notice refused by the mail server',
  notice_skipped: 'Art. 19 notice not sent',
  erasure_started: 'Erasure started',
  erasure_verified: 'Erasure verified',
  answer_sent: 'Answer mailed ("no data held")',
};

/** "12 days left", "due today", "3 days overdue"; empty once the request is closed. */
export function countdown(daysLeft: number | null): string {
  if (daysLeft === null) return '';
  if (daysLeft === 0) return 'due today';
  if (daysLeft > 0) return `${daysLeft} day${daysLeft === 1 ? '' : 's'} left`;
  return `${-daysLeft} day${daysLeft === -1 ? '' : 's'} overdue`;
}

export const countdownTone = (daysLeft: number | null): Tone =>
  daysLeft === null ? 'muted' : daysLeft < 0 ? 'danger' : daysLeft <= 7 ? 'warning' : 'neutral';

/** What a timeline entry adds to its label, from its details (IDs and codes only). */
export function eventSummary(kind: string, details: Record<string, unknown>): string {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (kind) {
    case 'status_changed':
      return `${STATUS[text(details.from)]?.label ?? text(details.from)} → ${STATUS[text(details.to)]?.label ?? text(details.to)}`;
    case 'extended':
      return `to ${text(details.to).slice(0, 10)}`;
    case 'verified':
      return `${IDENTITY_METHOD_LABEL[text(details.method)] ?? text(details.method)}${details.matched === false ? '; no contact has this address' : ''}`;
    case 'action_taken':
      return `${text(details.action)}${Array.isArray(details.fields) ? `: ${details.fields.join(', ')}` : ''}`;
    case 'notices_recorded':
      return `${Array.isArray(details.processorIds) ? details.processorIds.length : 0} recipient(s), ${text(details.change)}`;
    case 'notice_sent':
    case 'notice_failed':
    case 'notice_skipped':
      return text(details.change);
    case 'erasure_verified':
      return details.clean === true ? 'clean' : 'identifiers found';
    default:
      return '';
  }
}
