import { useWatch, type UseFormReturn } from 'react-hook-form';
import { Link } from 'react-router';
import { SelectField, TextAreaField, TextField } from '../../components/form-fields.tsx';
import { label } from '../../lib/labels.ts';
import type { RouterOutputs } from '../../lib/trpc.ts';
import type { Purpose } from '../purposes/use-purposes.ts';
import { TRIGGER_TYPES, type JourneySettingsForm } from './journey-form.schema.ts';

type Segment = RouterOutputs['segments']['list'][number];

/** Name, purpose and trigger: what a new journey needs, and what the designer's settings edit. */
export function JourneyBasicsFields({
  form,
  purposes,
  segments,
  idPrefix,
}: {
  form: UseFormReturn<JourneySettingsForm>;
  purposes: readonly Purpose[];
  segments: readonly Segment[];
  idPrefix: string;
}) {
  const { errors } = form.formState;
  const [triggerType, purposeId] = useWatch({ control: form.control, name: ['triggerType', 'purposeId'] });
  const purpose = purposes.find((p) => p.id === purposeId);
  return (
    <>
      <TextField
        id={`${idPrefix}-name`}
        label="Name"
        required
        autoComplete="off"
        registration={form.register('name')}
        error={errors.name}
      />
      <TextAreaField
        id={`${idPrefix}-description`}
        label="Description"
        rows={2}
        registration={form.register('description')}
        error={errors.description}
      />
      <SelectField
        id={`${idPrefix}-purpose`}
        label="Purpose of the journey"
        registration={form.register('purposeId')}
        error={errors.purposeId}
      >
        <option value="">Choose a purpose…</option>
        {purposes.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </SelectField>
      <p className="field-hint field-hint-after">
        {purpose
          ? `${label(purpose.legalBasis)} · ${purpose.channels.map(label).join(', ')}. Withdrawing consent to it ends every enrolment.`
          : 'The journey runs under this purpose: a withdrawal of consent to it ends every enrolment.'}
      </p>
      <SelectField
        id={`${idPrefix}-trigger`}
        label="Contacts enter on"
        registration={form.register('triggerType')}
        error={errors.triggerType}
      >
        {TRIGGER_TYPES.map((t) => (
          <option key={t.value} value={t.value}>
            {t.label}
          </option>
        ))}
      </SelectField>
      {triggerType === 'segment_entry' ? (
        <>
          <SelectField id={`${idPrefix}-segment`} label="Segment" registration={form.register('segmentId')} error={errors.segmentId}>
            <option value="">Choose a segment…</option>
            {segments.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </SelectField>
          {segments.length === 0 ? (
            <p className="field-hint field-hint-after">
              There are no segments yet. <Link to="/segments/new">Build one</Link> first.
            </p>
          ) : null}
        </>
      ) : triggerType === 'form_submitted' ? (
        <SelectField
          id={`${idPrefix}-form-purpose`}
          label="Form of the purpose"
          registration={form.register('formPurposeId')}
          error={errors.formPurposeId}
        >
          <option value="">Choose a purpose…</option>
          {purposes
            .filter((p) => p.legalBasis === 'consent')
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
        </SelectField>
      ) : (
        <TextField
          id={`${idPrefix}-event`}
          label="Event name"
          autoComplete="off"
          registration={form.register('eventName')}
          error={errors.eventName}
          hint="As your systems send it through the API, such as trial.started."
        />
      )}
    </>
  );
}
