import { durationMs, type Duration, type JourneyStep, type JourneyStepType, type JourneyTrigger } from '@zweck/journeys';
import type { Tone } from '../../components/badge.tsx';
import { label } from '../../lib/labels.ts';
import type { RouterOutputs } from '../../lib/trpc.ts';

export type Journey = RouterOutputs['journeys']['get'];
export type JourneyListItem = RouterOutputs['journeys']['list'][number];
export type JourneyIssue = Journey['issues'][number];
export type JourneyStatus = Journey['status'];
export type JourneyStats = RouterOutputs['journeys']['stats'];

export const JOURNEY_STATUS: Record<JourneyStatus, { label: string; tone: Tone; hint: string }> = {
  draft: { label: 'Draft', tone: 'muted', hint: 'Not published yet: nobody enters it.' },
  active: { label: 'Active', tone: 'success', hint: 'Published: new contacts enter on its trigger.' },
  paused: { label: 'Paused', tone: 'warning', hint: 'Nobody new enters; contacts already in it continue.' },
  archived: { label: 'Archived', tone: 'neutral', hint: 'Ended for good; contacts already in it finish their version.' },
};

/** The palette, in the order a journey is usually built. */
export const STEP_TYPES: { type: JourneyStepType; label: string; hint: string }[] = [
  { type: 'send', label: 'Send e-mail', hint: 'Send a template under a purpose' },
  { type: 'wait', label: 'Wait', hint: 'Pause for a time' },
  { type: 'wait_event', label: 'Wait for event', hint: 'Until something happens, or a timeout' },
  { type: 'branch', label: 'Branch', hint: 'Yes or no, on conditions' },
  { type: 'score', label: 'Change score', hint: 'Lead scoring (needs consent)' },
  { type: 'handoff', label: 'Hand off to sales', hint: 'A rep takes over' },
  { type: 'exit', label: 'Exit', hint: 'The journey ends here' },
];

export const stepTypeLabel = (type: JourneyStepType): string => STEP_TYPES.find((t) => t.type === type)?.label ?? type;

/** "3 days", "1 day 2 hours", "45 minutes". */
export function formatDuration(d: Duration): string {
  const parts: string[] = [];
  if (d.days) parts.push(`${d.days} ${d.days === 1 ? 'day' : 'days'}`);
  if (d.hours) parts.push(`${d.hours} ${d.hours === 1 ? 'hour' : 'hours'}`);
  if (d.minutes) parts.push(`${d.minutes} ${d.minutes === 1 ? 'minute' : 'minutes'}`);
  return parts.join(' ') || `${durationMs(d) / 60_000} minutes`;
}

const INTERACTION_PAST: Record<string, string> = {
  opened: 'opens a mail',
  clicked: 'clicks a link',
  attended: 'attends',
  bought: 'buys',
  complained: 'complains',
  bounced: 'bounces',
  form_submitted: 'submits a form',
};

/** One line under the step's title on the canvas. */
export function stepSummary(step: JourneyStep, names: { purpose: (id: string) => string; template: (id: string) => string }): string {
  switch (step.type) {
    case 'send':
      return `${names.template(step.templateId)} · ${names.purpose(step.purposeId)}${step.track ? ' · tracked' : ''}`;
    case 'wait':
      return formatDuration(step.duration);
    case 'wait_event':
      return `Until the contact ${step.event.type === 'interaction' ? (INTERACTION_PAST[step.event.kind] ?? step.event.kind) : `sends “${step.event.name}”`}, at most ${formatDuration(step.timeout)}`;
    case 'branch':
      return `${step.conditions.length} ${step.conditions.length === 1 ? 'condition' : 'conditions'} (${step.match === 'all' ? 'all' : 'any'})`;
    case 'score':
      return `${step.points > 0 ? '+' : ''}${step.points} points · ${names.purpose(step.purposeId)}`;
    case 'handoff':
      return `${label(step.channel)} · ${names.purpose(step.purposeId)}`;
    case 'exit':
      return 'The enrolment ends';
  }
}

export function triggerSummary(
  trigger: JourneyTrigger,
  names: { segment: (id: string) => string; purpose: (id: string) => string },
): string {
  switch (trigger.type) {
    case 'segment_entry':
      return `Entering the segment ${names.segment(trigger.segmentId)}`;
    case 'form_submitted':
      return `Confirming the form for ${names.purpose(trigger.purposeId)}`;
    case 'event':
      return `The API event “${trigger.name}”`;
  }
}

/** Why an enrolment ended, in words (the codes of ZJourneyExitReason). */
export const EXIT_REASONS: Record<string, string> = {
  completed: 'Completed (last step)',
  exit_step: 'Reached an exit step',
  withdrew: 'Withdrew consent',
  objected: 'Objected to direct marketing',
  restricted: 'Processing restricted',
  erased: 'Erased',
  converted: 'Converted',
  cancelled: 'Cancelled by staff',
};

/** The exits the law fixes (the schema leaves no choice), with the reason shown beside each. */
export const FIXED_EXITS: { key: 'withdrawal' | 'objection' | 'restriction' | 'erasure'; label: string; why: string }[] = [
  {
    key: 'withdrawal',
    label: 'Withdrawal of consent to the journey’s purpose',
    why: 'Art. 7(3) GDPR: processing on consent ends with its withdrawal.',
  },
  { key: 'objection', label: 'Objection to direct marketing', why: 'Art. 21(3) GDPR: after an objection, direct marketing ends for good.' },
  { key: 'restriction', label: 'Restriction of processing', why: 'Art. 18(2) GDPR: restricted data may only be stored.' },
  { key: 'erasure', label: 'Erasure', why: 'Art. 17 GDPR: nothing of an erased person is processed.' },
];
