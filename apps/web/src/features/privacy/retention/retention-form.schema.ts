import { ZDataCategory, ZRetentionPeriod } from '@zweck/policy';
import { z } from 'zod';
import type { RouterInputs } from '../../../lib/trpc.ts';
import type { RetentionPolicy } from './retention-labels.ts';

export type RetentionPolicyInput = RouterInputs['retention']['createPolicy'];

/**
 * The retention editor's form: the API's rules (the period is the same `ZRetentionPeriod` the API
 * parses with), so that a bad period shows beside its field before anything is sent.
 */
export const ZRetentionForm = z
  .object({
    name: z.string().trim().min(1, 'Give the policy a name').max(120, 'At most 120 characters'),
    scopeKind: z.enum(['purpose', 'data_category']),
    purposeId: z.string(),
    dataCategory: z.union([z.literal(''), ZDataCategory]),
    period: ZRetentionPeriod,
    anchor: z.enum(['last_interaction', 'contract_end', 'consent_withdrawn', 'created']),
    action: z.enum(['delete', 'anonymize', 'review']),
    reminderLeadDays: z.number('A number of days').int('Whole days').min(0, 'At least 0 days').max(365, 'At most 365 days'),
    requiresApproval: z.boolean(),
    active: z.boolean(),
  })
  .superRefine((v, ctx) => {
    if (v.scopeKind === 'purpose' && v.purposeId === '') ctx.addIssue({ code: 'custom', path: ['purposeId'], message: 'Choose a purpose' });
    if (v.scopeKind === 'data_category' && v.dataCategory === '')
      ctx.addIssue({ code: 'custom', path: ['dataCategory'], message: 'Choose a data category' });
  });

export type RetentionFormInput = z.input<typeof ZRetentionForm>;
export type RetentionFormValues = z.output<typeof ZRetentionForm>;

export const RETENTION_FORM_PATHS = [
  'name',
  'scopeKind',
  'purposeId',
  'dataCategory',
  'period',
  'anchor',
  'action',
  'reminderLeadDays',
  'requiresApproval',
  'active',
] as const;
export const isRetentionFormPath = (path: string): path is (typeof RETENTION_FORM_PATHS)[number] =>
  (RETENTION_FORM_PATHS as readonly string[]).includes(path);

export const NEW_RETENTION_POLICY: RetentionFormInput = {
  name: '',
  scopeKind: 'purpose',
  purposeId: '',
  dataCategory: '',
  period: '',
  anchor: 'last_interaction',
  action: 'delete',
  reminderLeadDays: 30,
  requiresApproval: true,
  active: true,
};

export const toRetentionForm = (p: RetentionPolicy): RetentionFormInput => ({
  name: p.name,
  scopeKind: p.scopeKind,
  purposeId: p.purposeId ?? '',
  dataCategory: p.dataCategory ?? '',
  period: p.period,
  anchor: p.anchor,
  action: p.action,
  reminderLeadDays: p.reminderLeadDays,
  requiresApproval: p.requiresApproval,
  active: p.active,
});

export const toRetentionInput = (v: RetentionFormValues): RetentionPolicyInput => ({
  ...v,
  purposeId: v.scopeKind === 'purpose' ? v.purposeId : null,
  dataCategory: v.scopeKind === 'data_category' && v.dataCategory !== '' ? v.dataCategory : null,
});
