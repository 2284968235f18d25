import type { Tone } from '../../../components/badge.tsx';
import type { RouterOutputs } from '../../../lib/trpc.ts';

export type RetentionPolicy = RouterOutputs['retention']['listPolicies'][number];
export type LegalHold = RouterOutputs['retention']['listHolds'][number];
export type RetentionRun = RouterOutputs['retention']['listRuns'][number];
export type RetentionAnchor = RetentionPolicy['anchor'];
export type RetentionAction = RetentionPolicy['action'];

export const ANCHOR_LABELS: Record<RetentionAnchor, string> = {
  last_interaction: 'the last interaction',
  contract_end: 'the end of the contract',
  consent_withdrawn: 'the withdrawal of consent',
  created: 'the creation of the contact',
};

export const ANCHOR_HINTS: Record<RetentionAnchor, string> = {
  last_interaction: 'The latest open, click, purchase, event or consent given; never earlier than the contact was created.',
  contract_end:
    'The latest "contract_ended" event (sent through the events API by the system that holds contracts), unless a "contract_started" came later.',
  consent_withdrawn: 'When no consent under the scope is in force any more: the last withdrawal or expiry.',
  created: 'When the contact was created.',
};

export const ACTION_LABELS: Record<RetentionAction, string> = {
  delete: 'Delete',
  anonymize: 'Anonymize (statistics stay)',
  review: 'Review first',
};

export const HOLD_KIND_LABELS: Record<LegalHold['kind'], string> = {
  commercial_hgb_257: 'Commercial records (§ 257 HGB)',
  tax_ao_147: 'Tax records (§ 147 AO)',
  litigation: 'Litigation hold',
  other: 'Other legal duty',
};

export const RUN_STATUS: Record<RetentionRun['status'], { label: string; tone: Tone }> = {
  pending_approval: { label: 'Waiting for approval', tone: 'warning' },
  approved: { label: 'Approved, running', tone: 'info' },
  rejected: { label: 'Rejected', tone: 'muted' },
  done: { label: 'Done', tone: 'success' },
};

export const OUTCOME_LABELS: Record<NonNullable<RouterOutputs['retention']['getRun']['items'][number]['outcome']>, string> = {
  deleted: 'Deleted',
  anonymized: 'Anonymized',
  restricted_by_hold: 'Restricted (legal hold)',
  skipped: 'Skipped',
};
