import {
  ZCondition,
  ZConsentCondStatus,
  ZInteractionKind,
  ZLifecycleStage,
  type Condition,
  type ConditionType,
  type FieldOp,
  type SegmentDefinition,
} from '@zweck/segments/definition';
import type { Path } from 'react-hook-form';
import { z } from 'zod';

/**
 * One condition row as the form holds it: every input of every type, as typed (strings), so
 * that switching the type keeps the row simple. `toCondition` picks the inputs of its type.
 */
export interface ConditionForm {
  type: ConditionType;
  field: string;
  op: string;
  value: string;
  stages: string[];
  kind: string;
  count: string;
  withinDays: string;
  olderThanDays: string;
  purposeId: string;
  channel: string;
  status: string[];
}

export const CONDITION_TYPES: readonly { value: ConditionType; label: string }[] = [
  { value: 'field', label: 'Field' },
  { value: 'lifecycle', label: 'Lifecycle stage' },
  { value: 'interaction', label: 'Interaction' },
  { value: 'consent', label: 'Consent' },
  { value: 'created', label: 'Created' },
];

export const FIELD_OP_LABELS: Record<FieldOp, string> = {
  equals: 'equals',
  not_equals: 'does not equal',
  contains: 'contains',
  starts_with: 'starts with',
  is_set: 'is set',
  is_not_set: 'is not set',
};

export const INTERACTION_OP_LABELS = { at_least: 'at least', none: 'never' } as const;

export const INTERACTION_LABELS: Record<z.infer<typeof ZInteractionKind>, string> = {
  opened: 'Opened a mail',
  clicked: 'Clicked a link',
  attended: 'Attended an event',
  bought: 'Bought',
  complained: 'Complained',
  bounced: 'Bounced',
  form_submitted: 'Submitted a form',
};

export const CONSENT_STATUS_LABELS: Record<z.infer<typeof ZConsentCondStatus>, string> = {
  granted: 'Granted (not confirmed)',
  confirmed: 'Confirmed',
  withdrawn: 'Withdrawn or objected',
  expired: 'Expired',
  none: 'Never asked',
};

export const LIFECYCLE_STAGES = ZLifecycleStage.options;
export const INTERACTION_KINDS = ZInteractionKind.options;
export const CONSENT_STATUSES = ZConsentCondStatus.options;

export const emptyCondition = (type: ConditionType = 'field'): ConditionForm => ({
  type,
  field: '',
  op: type === 'interaction' ? 'at_least' : 'equals',
  value: '',
  stages: [],
  kind: type === 'interaction' ? 'opened' : '',
  count: '',
  withinDays: '',
  olderThanDays: '',
  purposeId: '',
  channel: 'email',
  status: [],
});

const opt = (text: string): string | undefined => (text.trim() === '' ? undefined : text.trim());
/** A whole number as typed; text that is not one stays text, so that the schema names the problem. */
const num = (text: string): number | string | undefined => {
  const t = opt(text);
  return t === undefined ? undefined : /^\d+$/.test(t) ? Number(t) : t;
};

/** The definition's condition for a form row (unchecked: ZCondition checks it). */
export function toCondition(row: ConditionForm): unknown {
  switch (row.type) {
    case 'field':
      return {
        type: 'field',
        field: row.field,
        op: row.op,
        value: row.op === 'is_set' || row.op === 'is_not_set' ? undefined : opt(row.value),
      };
    case 'lifecycle':
      return { type: 'lifecycle', stages: row.stages };
    case 'interaction':
      return {
        type: 'interaction',
        kind: row.kind,
        op: row.op,
        count: row.op === 'none' ? undefined : num(row.count),
        withinDays: num(row.withinDays),
      };
    case 'consent':
      return { type: 'consent', purposeId: row.purposeId, channel: row.channel, status: row.status };
    case 'created':
      return { type: 'created', withinDays: num(row.withinDays), olderThanDays: num(row.olderThanDays) };
  }
}

export function toConditionForm(condition: Condition): ConditionForm {
  const row = emptyCondition(condition.type);
  const text = (n: number | undefined): string => (n === undefined ? '' : String(n));
  switch (condition.type) {
    case 'field':
      return { ...row, field: condition.field, op: condition.op, value: condition.value ?? '' };
    case 'lifecycle':
      return { ...row, stages: [...condition.stages] };
    case 'interaction':
      return { ...row, kind: condition.kind, op: condition.op, count: text(condition.count), withinDays: text(condition.withinDays) };
    case 'consent':
      return { ...row, purposeId: condition.purposeId, channel: condition.channel, status: [...condition.status] };
    case 'created':
      return { ...row, withinDays: text(condition.withinDays), olderThanDays: text(condition.olderThanDays) };
  }
}

/** Friendlier words for what zod says about the common mistakes. */
const message = (issue: z.core.$ZodIssue): string => {
  const key = issue.path.at(-1);
  if (key === 'field') return 'Choose a field';
  if (key === 'purposeId') return 'Choose a purpose';
  if (key === 'stages') return 'Tick at least one stage';
  if (key === 'status') return 'Tick at least one state';
  if (key === 'count' || key === 'withinDays' || key === 'olderThanDays') {
    return issue.code === 'custom' ? issue.message : 'A whole number of at least 1';
  }
  return issue.message;
};

const ZConditionForm = z.custom<ConditionForm>();

export const ZSegmentForm = z
  .object({
    name: z.string().trim().min(1, 'Give the segment a name').max(100, 'At most 100 characters'),
    description: z.string().trim().max(500, 'At most 500 characters'),
    match: z.enum(['all', 'any']),
    conditions: z.array(ZConditionForm).max(20, 'At most 20 conditions'),
  })
  .transform((form, ctx) => {
    const conditions: Condition[] = [];
    form.conditions.forEach((row, i) => {
      const parsed = ZCondition.safeParse(toCondition(row));
      if (parsed.success) conditions.push(parsed.data);
      else
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: 'custom', path: ['conditions', i, ...issue.path], message: message(issue) });
    });
    const definition: SegmentDefinition = { version: 1, match: form.match, conditions };
    return { name: form.name, description: form.description, definition };
  });

export type SegmentFormInput = z.input<typeof ZSegmentForm>;
export type SegmentFormValues = z.output<typeof ZSegmentForm>;

export const NEW_SEGMENT: SegmentFormInput = { name: '', description: '', match: 'all', conditions: [emptyCondition()] };

export const toSegmentForm = (segment: { name: string; description: string; definition: SegmentDefinition }): SegmentFormInput => ({
  name: segment.name,
  description: segment.description,
  match: segment.definition.match,
  conditions: segment.definition.conditions.map(toConditionForm),
});

/** The definition of the form as it stands, or null while a condition is incomplete (for the preview). */
export function definitionOf(form: SegmentFormInput): SegmentDefinition | null {
  const parsed = ZSegmentForm.safeParse({ ...form, name: form.name.trim() === '' ? 'draft' : form.name });
  return parsed.success ? parsed.data.definition : null;
}

const FORM_PATH =
  /^(name|description|match|conditions\.\d+\.(field|op|value|stages|kind|count|withinDays|olderThanDays|purposeId|channel|status))$/;

/** The form path of a server error's field: the API names `definition.conditions.N.x`, the form `conditions.N.x`. */
export function formPathOf(field: string | null): Path<SegmentFormInput> | null {
  if (field === null) return null;
  const path = field.replace(/^definition\./, '');
  return FORM_PATH.test(path) ? (path as Path<SegmentFormInput>) : null;
}
