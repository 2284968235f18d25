import { zodResolver } from '@hookform/resolvers/zod';
import { ZBranchStep, ZExitStep, ZHandoffStep, ZScoreStep, ZSendStep, ZWaitEventStep, ZWaitStep, type JourneyStep } from '@zweck/journeys';
import { ZChannel } from '@zweck/policy';
import { ZInteractionKind, ZLifecycleStage } from '@zweck/segments/definition';
import { useEffect, useId, type ReactNode } from 'react';
import {
  Controller,
  get,
  useFieldArray,
  useForm,
  useWatch,
  type Control,
  type FieldError,
  type FieldValues,
  type Path,
  type UseFormReturn,
} from 'react-hook-form';
import type { z } from 'zod';
import { CheckboxField, SelectField, TextField } from '../../components/form-fields.tsx';
import { label } from '../../lib/labels.ts';
import type { RouterOutputs } from '../../lib/trpc.ts';
import type { Purpose } from '../purposes/use-purposes.ts';
import { stepTypeLabel, type JourneyIssue } from './journey-labels.ts';

type Template = RouterOutputs['templates']['list'][number];

export interface StepChoices {
  purposes: readonly Purpose[];
  templates: readonly Template[];
  /** Every step of the journey, for the "continues with" pickers. */
  steps: readonly JourneyStep[];
}

interface PanelProps<T extends JourneyStep> {
  step: T;
  choices: StepChoices;
  isEntry: boolean;
  issues: readonly JourneyIssue[];
  readOnly: boolean;
  onApply: (step: JourneyStep) => void;
  onDelete: () => void;
  onMakeEntry: () => void;
}

const INTERACTION_WORDS: Record<string, string> = {
  opened: 'Opened a mail',
  clicked: 'Clicked a link',
  attended: 'Attended an event',
  bought: 'Bought',
  complained: 'Complained',
  bounced: 'Bounced',
  form_submitted: 'Submitted a form',
};

/**
 * The side panel for the selected step: a form per step type, checked with the very schema the
 * API stores, applied to the canvas on "Apply". A change made on the canvas meanwhile (a new
 * connection) updates the fields the marketer has not touched.
 */
export function StepPanel(props: PanelProps<JourneyStep>) {
  const { step } = props;
  switch (step.type) {
    case 'send':
      return <SendForm {...props} step={step} />;
    case 'wait':
      return <WaitForm {...props} step={step} />;
    case 'wait_event':
      return <WaitEventForm {...props} step={step} />;
    case 'branch':
      return <BranchForm {...props} step={step} />;
    case 'score':
      return <ScoreForm {...props} step={step} />;
    case 'handoff':
      return <HandoffForm {...props} step={step} />;
    case 'exit':
      return <ExitForm {...props} step={step} />;
  }
}

function useStepForm<T extends JourneyStep>(step: T, schema: z.ZodType<T, T>): UseFormReturn<T> {
  const form = useForm<T>({ resolver: zodResolver(schema), defaultValues: step as never, mode: 'onChange' });
  // The canvas changed the step (a connection, a move): take that over, keep what is being edited.
  useEffect(() => {
    form.reset(step as never, { keepDirtyValues: true });
  }, [step, form]);
  return form;
}

function errorAt(form: UseFormReturn<FieldValues>, name: string): FieldError | undefined {
  const found: FieldError | undefined = get(form.formState.errors, name);
  return found;
}

/** The frame of every step form: its title, the fields, and apply, start-here and delete. */
function Shell<T extends JourneyStep>({ form, props, children }: { form: UseFormReturn<T>; props: PanelProps<T>; children: ReactNode }) {
  const { step, isEntry, issues, readOnly, onApply, onDelete, onMakeEntry } = props;
  const apply = form.handleSubmit((values) => onApply({ ...values, position: step.position }));
  const generic = form as unknown as UseFormReturn<FieldValues>;
  return (
    <form className="form journey-step-form" onSubmit={(e) => void apply(e)} noValidate aria-label={`Step ${step.label ?? step.id}`}>
      <div className="journey-panel-title">
        <h2>{stepTypeLabel(step.type)}</h2>
        <span className="mono small muted" title="The step's ID stays the same in every version, so that statistics compare">
          {step.id}
        </span>
      </div>
      {isEntry ? <p className="small journey-entry-note">Contacts enter the journey here.</p> : null}
      {issues.length > 0 ? (
        <ul className="journey-step-issues" aria-label="Issues of this step">
          {issues.map((issue, i) => (
            <li key={`${issue.code}-${i}`}>{issue.message}</li>
          ))}
        </ul>
      ) : null}
      <fieldset className="fieldset" disabled={readOnly}>
        <TextField
          id="step-label"
          label="Label"
          autoComplete="off"
          registration={generic.register('label')}
          error={errorAt(generic, 'label')}
          hint="What the canvas shows; the ID stays."
        />
        {children}
      </fieldset>
      {readOnly ? null : (
        <div className="form-actions journey-step-actions">
          <button type="submit" className="button button-primary button-small">
            Apply
          </button>
          {isEntry ? null : (
            <button type="button" className="button button-secondary button-small" onClick={onMakeEntry}>
              Start here
            </button>
          )}
          <button type="button" className="button button-danger button-small" onClick={onDelete}>
            Delete step
          </button>
        </div>
      )}
    </form>
  );
}

/** Where a handle leads: another step, or nowhere (the enrolment completes there). */
function LinkSelect<T extends FieldValues>({
  control,
  name,
  text,
  steps,
  self,
}: {
  control: Control<T>;
  name: Path<T>;
  text: string;
  steps: readonly JourneyStep[];
  self: string;
}) {
  const id = useId();
  return (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <div className="field">
          <label htmlFor={id}>{text}</label>
          <select
            id={id}
            value={field.value ?? ''}
            onChange={(e) => field.onChange(e.target.value === '' ? null : e.target.value)}
            onBlur={field.onBlur}
          >
            <option value="">Nothing: the journey completes</option>
            {steps
              .filter((s) => s.id !== self)
              .map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label?.trim() || s.id} ({stepTypeLabel(s.type)})
                </option>
              ))}
          </select>
        </div>
      )}
    />
  );
}

function DurationFields<T extends FieldValues>({ form, name, legend }: { form: UseFormReturn<T>; name: string; legend: string }) {
  const generic = form as unknown as UseFormReturn<FieldValues>;
  const whole = errorAt(generic, name);
  return (
    <fieldset className="field journey-duration">
      <legend className="field-label">{legend}</legend>
      <div className="journey-duration-inputs">
        {(['days', 'hours', 'minutes'] as const).map((unit) => (
          <label key={unit} className="journey-duration-unit">
            <input type="number" min={0} className="input-narrow" {...generic.register(`${name}.${unit}`, { valueAsNumber: true })} />
            <span>{unit}</span>
          </label>
        ))}
      </div>
      {(['days', 'hours', 'minutes'] as const).map((unit) => {
        const error = errorAt(generic, `${name}.${unit}`);
        return error ? (
          <p key={unit} className="field-error">
            {unit}: {error.message}
          </p>
        ) : null;
      })}
      {whole?.message ? <p className="field-error">{whole.message}</p> : null}
    </fieldset>
  );
}

function PurposeSelect<T extends FieldValues>({
  form,
  purposes,
  id,
  hint,
}: {
  form: UseFormReturn<T>;
  purposes: readonly Purpose[];
  id: string;
  hint: (p: Purpose | undefined) => string;
}) {
  const generic = form as unknown as UseFormReturn<FieldValues>;
  const purposeId = useWatch({ control: generic.control, name: 'purposeId' }) as string;
  const purpose = purposes.find((p) => p.id === purposeId);
  return (
    <>
      <SelectField id={id} label="Purpose" registration={generic.register('purposeId')} error={errorAt(generic, 'purposeId')}>
        {purposes.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name} ({p.channels.map(label).join(', ')})
          </option>
        ))}
      </SelectField>
      <p className="field-hint field-hint-after">{hint(purpose)}</p>
    </>
  );
}

const basisHint = (p: Purpose | undefined): string =>
  p ? `${label(p.legalBasis)}${p.isDirectMarketing ? ' · direct marketing' : ''} · uses ${p.channels.map(label).join(', ')}.` : '';

function SendForm(props: PanelProps<z.infer<typeof ZSendStep>>) {
  const form = useStepForm(props.step, ZSendStep);
  const { templates, purposes, steps } = props.choices;
  return (
    <Shell form={form} props={props}>
      <SelectField id="step-template" label="Template" registration={form.register('templateId')} error={form.formState.errors.templateId}>
        {templates.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name} ({t.kind})
          </option>
        ))}
      </SelectField>
      <PurposeSelect
        form={form}
        purposes={purposes}
        id="step-purpose"
        hint={(p) => `${basisHint(p)} The policy decides for every contact right before the send.`}
      />
      <CheckboxField
        id="step-track"
        label="Track opens and clicks"
        registration={form.register('track')}
        error={form.formState.errors.track}
        hint="Only for contacts whose consent covers tracking; for the others links stay untracked and no pixel is added."
      />
      <LinkSelect control={form.control} name="next" text="Continues with" steps={steps} self={props.step.id} />
    </Shell>
  );
}

function WaitForm(props: PanelProps<z.infer<typeof ZWaitStep>>) {
  const form = useStepForm(props.step, ZWaitStep);
  return (
    <Shell form={form} props={props}>
      <DurationFields form={form} name="duration" legend="Wait for" />
      <LinkSelect control={form.control} name="next" text="Continues with" steps={props.choices.steps} self={props.step.id} />
    </Shell>
  );
}

function WaitEventForm(props: PanelProps<z.infer<typeof ZWaitEventStep>>) {
  const form = useStepForm(props.step, ZWaitEventStep);
  const eventType = useWatch({ control: form.control, name: 'event.type' });
  const generic = form as unknown as UseFormReturn<FieldValues>;
  return (
    <Shell form={form} props={props}>
      <Controller
        control={form.control}
        name="event"
        render={({ field }) => (
          <div className="field">
            <label htmlFor="step-event-type">Wait for</label>
            <select
              id="step-event-type"
              value={field.value.type}
              onChange={(e) =>
                field.onChange(
                  e.target.value === 'event' ? { type: 'event', name: 'trial.started' } : { type: 'interaction', kind: 'clicked' },
                )
              }
            >
              <option value="interaction">Something the contact does with us</option>
              <option value="event">An event sent through the API</option>
            </select>
          </div>
        )}
      />
      {eventType === 'interaction' ? (
        <SelectField id="step-event-kind" label="What" registration={form.register('event.kind')} error={errorAt(generic, 'event.kind')}>
          {ZInteractionKind.options.map((kind) => (
            <option key={kind} value={kind}>
              {INTERACTION_WORDS[kind] ?? kind}
            </option>
          ))}
        </SelectField>
      ) : (
        <TextField
          id="step-event-name"
          label="Event name"
          registration={form.register('event.name')}
          error={errorAt(generic, 'event.name')}
        />
      )}
      <DurationFields form={form} name="timeout" legend="At most" />
      <LinkSelect
        control={form.control}
        name="onEvent"
        text="When it happens, continue with"
        steps={props.choices.steps}
        self={props.step.id}
      />
      <LinkSelect
        control={form.control}
        name="onTimeout"
        text="When the time runs out, continue with"
        steps={props.choices.steps}
        self={props.step.id}
      />
    </Shell>
  );
}

function BranchForm(props: PanelProps<z.infer<typeof ZBranchStep>>) {
  const form = useStepForm(props.step, ZBranchStep);
  const conditions = useFieldArray({ control: form.control, name: 'conditions' });
  const values = useWatch({ control: form.control, name: 'conditions' });
  const generic = form as unknown as UseFormReturn<FieldValues>;
  return (
    <Shell form={form} props={props}>
      <SelectField id="step-match" label="Yes when" registration={form.register('match')} error={form.formState.errors.match}>
        <option value="all">all conditions hold</option>
        <option value="any">any condition holds</option>
      </SelectField>
      <ol className="journey-conditions">
        {conditions.fields.map((field, i) => {
          const condition = values[i];
          return (
            <li key={field.id} className="journey-condition">
              {condition?.type === 'interaction' ? (
                <div className="journey-condition-row">
                  <select aria-label={`Condition ${i + 1}: what`} {...generic.register(`conditions.${i}.kind`)}>
                    {ZInteractionKind.options.map((kind) => (
                      <option key={kind} value={kind}>
                        {INTERACTION_WORDS[kind] ?? kind}
                      </option>
                    ))}
                  </select>
                  <select aria-label={`Condition ${i + 1}: how often`} {...generic.register(`conditions.${i}.op`)}>
                    <option value="at_least">at least once</option>
                    <option value="none">never</option>
                  </select>
                </div>
              ) : condition?.type === 'lifecycle' ? (
                <div className="journey-condition-row" role="group" aria-label={`Condition ${i + 1}: lifecycle stage`}>
                  <span className="small">Stage is</span>
                  {ZLifecycleStage.options.map((stage) => (
                    <label key={stage} className="journey-check">
                      <input type="checkbox" value={stage} {...generic.register(`conditions.${i}.stages`)} /> {label(stage)}
                    </label>
                  ))}
                </div>
              ) : (
                <span className="small muted">A {condition?.type ?? ''} condition (kept as it is)</span>
              )}
              <button
                type="button"
                className="button button-secondary button-small"
                onClick={() => conditions.remove(i)}
                disabled={conditions.fields.length === 1}
              >
                Remove
              </button>
            </li>
          );
        })}
      </ol>
      {form.formState.errors.conditions?.message ? <p className="field-error">{form.formState.errors.conditions.message}</p> : null}
      <div className="journey-condition-add">
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={() => conditions.append({ type: 'interaction', kind: 'clicked', op: 'at_least' })}
        >
          Add an activity condition
        </button>
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={() => conditions.append({ type: 'lifecycle', stages: ['lead'] })}
        >
          Add a stage condition
        </button>
      </div>
      <LinkSelect control={form.control} name="then" text="Yes: continue with" steps={props.choices.steps} self={props.step.id} />
      <LinkSelect control={form.control} name="else" text="No: continue with" steps={props.choices.steps} self={props.step.id} />
    </Shell>
  );
}

function ScoreForm(props: PanelProps<z.infer<typeof ZScoreStep>>) {
  const form = useStepForm(props.step, ZScoreStep);
  const errors = form.formState.errors;
  return (
    <Shell form={form} props={props}>
      <PurposeSelect
        form={form}
        purposes={props.choices.purposes}
        id="step-purpose"
        hint={(p) => `${basisHint(p)} Scoring is profiling: it needs the person’s consent (Art. 6(1)(a) GDPR).`}
      />
      <TextField
        id="step-points"
        label="Points"
        type="number"
        registration={form.register('points', { valueAsNumber: true })}
        error={errors.points}
      />
      <TextField
        id="step-reason"
        label="Reason"
        registration={form.register('reason')}
        error={errors.reason}
        hint="Shown in the score's explanation."
      />
      <LinkSelect control={form.control} name="next" text="Continues with" steps={props.choices.steps} self={props.step.id} />
    </Shell>
  );
}

function HandoffForm(props: PanelProps<z.infer<typeof ZHandoffStep>>) {
  const form = useStepForm(props.step, ZHandoffStep);
  return (
    <Shell form={form} props={props}>
      <PurposeSelect
        form={form}
        purposes={props.choices.purposes}
        id="step-purpose"
        hint={(p) => `${basisHint(p)} Sales follows up under this purpose.`}
      />
      <SelectField id="step-channel" label="Sales will use" registration={form.register('channel')} error={form.formState.errors.channel}>
        {ZChannel.options.map((c) => (
          <option key={c} value={c}>
            {label(c)}
          </option>
        ))}
      </SelectField>
      <LinkSelect control={form.control} name="next" text="Continues with" steps={props.choices.steps} self={props.step.id} />
    </Shell>
  );
}

function ExitForm(props: PanelProps<z.infer<typeof ZExitStep>>) {
  const form = useStepForm(props.step, ZExitStep);
  return (
    <Shell form={form} props={props}>
      <p className="small muted">Contacts who reach this step leave the journey; they count as exits at this step.</p>
    </Shell>
  );
}
