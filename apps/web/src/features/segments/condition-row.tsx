import { FIELD_OPS, opNeedsValue, type ConditionType, type FieldOp } from '@zweck/segments/definition';
import type { ReactNode } from 'react';
import { useWatch, type FieldError, type UseFormReturn, type UseFormRegisterReturn } from 'react-hook-form';
import { label } from '../../lib/labels.ts';
import type { RouterOutputs } from '../../lib/trpc.ts';
import {
  CONDITION_TYPES,
  CONSENT_STATUS_LABELS,
  CONSENT_STATUSES,
  emptyCondition,
  FIELD_OP_LABELS,
  INTERACTION_KINDS,
  INTERACTION_LABELS,
  INTERACTION_OP_LABELS,
  LIFECYCLE_STAGES,
  type ConditionForm,
  type SegmentFormInput,
  type SegmentFormValues,
} from './segment-form.schema.ts';

type Field = RouterOutputs['fields']['list'][number];
type Purpose = RouterOutputs['purposes']['list'][number];
type Form = UseFormReturn<SegmentFormInput, unknown, SegmentFormValues>;
type RowErrors = Partial<Record<keyof ConditionForm, FieldError>>;

/** One labelled input of a condition row; the label says which condition it belongs to, for screen readers and tests. */
function Cell({
  id,
  n,
  label: text,
  error,
  grow,
  children,
}: {
  id: string;
  n: number;
  label: string;
  error?: FieldError | undefined;
  grow?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={grow ? 'condition-cell condition-cell-grow' : 'condition-cell'}>
      <label htmlFor={id} className="condition-label">
        <ConditionNumber n={n} />
        {text}
      </label>
      {children}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error.message}
        </p>
      ) : null}
    </div>
  );
}

/** "Condition 2 " for assistive technology and tests; sighted users see the number beside the row. */
const ConditionNumber = ({ n }: { n: number }) => <span className="visually-hidden">{`Condition ${n} `}</span>;

const invalid = (id: string, error: FieldError | undefined) =>
  error ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : { 'aria-invalid': undefined };

function Checks({
  id,
  n,
  legend,
  options,
  registration,
  error,
}: {
  id: string;
  n: number;
  legend: string;
  options: readonly { value: string; label: string }[];
  registration: UseFormRegisterReturn;
  error: FieldError | undefined;
}) {
  return (
    <fieldset className="condition-cell condition-cell-grow condition-checks" aria-invalid={error ? true : undefined}>
      <legend className="condition-label">
        <ConditionNumber n={n} />
        {legend}
      </legend>
      <div className="checkbox-options">
        {options.map((o) => (
          <div className="checkbox-field" key={o.value}>
            <input id={`${id}-${o.value}`} type="checkbox" value={o.value} {...registration} />
            <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
          </div>
        ))}
      </div>
      {error ? <p className="field-error">{error.message}</p> : null}
    </fieldset>
  );
}

export function ConditionRow({
  form,
  index,
  fields,
  purposes,
  onReplace,
  onRemove,
}: {
  form: Form;
  index: number;
  fields: readonly Field[];
  purposes: readonly Purpose[];
  /** Replaces the row (a new type starts from that type's empty inputs). */
  onReplace: (row: ConditionForm) => void;
  onRemove: () => void;
}) {
  const n = index + 1;
  const id = (key: string) => `condition-${index}-${key}`;
  const path = <K extends keyof ConditionForm>(key: K) => `conditions.${index}.${key}` as const;
  const row = useWatch({ control: form.control, name: `conditions.${index}` });
  const errors = (form.formState.errors.conditions?.[index] ?? {}) as RowErrors;
  const reg = (key: keyof ConditionForm) => form.register(path(key));

  let inputs: ReactNode;
  switch (row.type) {
    case 'field': {
      const needsValue = opNeedsValue(row.op as FieldOp);
      inputs = (
        <>
          <Cell id={id('field')} n={n} label="field" error={errors.field}>
            <select id={id('field')} {...reg('field')} {...invalid(id('field'), errors.field)}>
              <option value="">Choose a field…</option>
              {/* Free text is stored encrypted: the API refuses conditions on it (FIELD_NOT_SEGMENTABLE). */}
              {fields
                .filter((f) => f.type !== 'free_text')
                .map((f) => (
                  <option key={f.key} value={f.key}>
                    {f.label}
                  </option>
                ))}
            </select>
          </Cell>
          <Cell id={id('op')} n={n} label="comparison" error={errors.op}>
            <select id={id('op')} {...reg('op')}>
              {FIELD_OPS.map((op) => (
                <option key={op} value={op}>
                  {FIELD_OP_LABELS[op]}
                </option>
              ))}
            </select>
          </Cell>
          {needsValue ? (
            <Cell id={id('value')} n={n} label="value" error={errors.value} grow>
              <input id={id('value')} autoComplete="off" {...reg('value')} {...invalid(id('value'), errors.value)} />
            </Cell>
          ) : null}
        </>
      );
      break;
    }
    case 'lifecycle':
      inputs = (
        <Checks
          id={id('stages')}
          n={n}
          legend="stages"
          options={LIFECYCLE_STAGES.map((s) => ({ value: s, label: label(s) }))}
          registration={reg('stages')}
          error={errors.stages}
        />
      );
      break;
    case 'interaction':
      inputs = (
        <>
          <Cell id={id('kind')} n={n} label="interaction">
            <select id={id('kind')} {...reg('kind')}>
              {INTERACTION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {INTERACTION_LABELS[k]}
                </option>
              ))}
            </select>
          </Cell>
          <Cell id={id('op')} n={n} label="how often">
            <select id={id('op')} {...reg('op')}>
              {Object.entries(INTERACTION_OP_LABELS).map(([op, text]) => (
                <option key={op} value={op}>
                  {text}
                </option>
              ))}
            </select>
          </Cell>
          {row.op !== 'none' ? (
            <Cell id={id('count')} n={n} label="times" error={errors.count}>
              <input
                id={id('count')}
                type="number"
                min={1}
                placeholder="1"
                className="input-narrow"
                {...reg('count')}
                {...invalid(id('count'), errors.count)}
              />
            </Cell>
          ) : null}
          <Cell id={id('withinDays')} n={n} label="in the last (days)" error={errors.withinDays}>
            <input
              id={id('withinDays')}
              type="number"
              min={1}
              placeholder="any time"
              className="input-narrow"
              {...reg('withinDays')}
              {...invalid(id('withinDays'), errors.withinDays)}
            />
          </Cell>
        </>
      );
      break;
    case 'consent': {
      const purpose = purposes.find((p) => p.id === row.purposeId);
      inputs = (
        <>
          <Cell id={id('purposeId')} n={n} label="purpose" error={errors.purposeId}>
            <select id={id('purposeId')} {...reg('purposeId')} {...invalid(id('purposeId'), errors.purposeId)}>
              <option value="">Choose a purpose…</option>
              {purposes
                .filter((p) => p.legalBasis === 'consent')
                .map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
            </select>
          </Cell>
          <Cell id={id('channel')} n={n} label="channel" error={errors.channel}>
            <select id={id('channel')} {...reg('channel')}>
              {(purpose?.channels ?? ['email']).map((c) => (
                <option key={c} value={c}>
                  {label(c)}
                </option>
              ))}
            </select>
          </Cell>
          <Checks
            id={id('status')}
            n={n}
            legend="consent is"
            options={CONSENT_STATUSES.map((s) => ({ value: s, label: CONSENT_STATUS_LABELS[s] }))}
            registration={reg('status')}
            error={errors.status}
          />
        </>
      );
      break;
    }
    case 'created':
      inputs = (
        <>
          <Cell id={id('withinDays')} n={n} label="within the last (days)" error={errors.withinDays}>
            <input
              id={id('withinDays')}
              type="number"
              min={1}
              className="input-narrow"
              {...reg('withinDays')}
              {...invalid(id('withinDays'), errors.withinDays)}
            />
          </Cell>
          <Cell id={id('olderThanDays')} n={n} label="more than (days) ago" error={errors.olderThanDays}>
            <input
              id={id('olderThanDays')}
              type="number"
              min={1}
              className="input-narrow"
              {...reg('olderThanDays')}
              {...invalid(id('olderThanDays'), errors.olderThanDays)}
            />
          </Cell>
        </>
      );
      break;
  }

  return (
    <li className="condition-row">
      <div className="condition-inputs">
        <Cell id={id('type')} n={n} label="type">
          <select id={id('type')} value={row.type} onChange={(e) => onReplace(emptyCondition(e.target.value as ConditionType))}>
            {CONDITION_TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </Cell>
        {inputs}
      </div>
      <button
        type="button"
        className="button button-secondary button-small condition-remove"
        onClick={onRemove}
        aria-label={`Remove condition ${n}`}
      >
        Remove
      </button>
    </li>
  );
}
