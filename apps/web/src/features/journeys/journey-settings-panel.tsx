import { zodResolver } from '@hookform/resolvers/zod';
import type { JourneyDefinition } from '@zweck/journeys';
import { ZLifecycleStage } from '@zweck/segments/definition';
import { useEffect } from 'react';
import { useForm } from 'react-hook-form';
import { CheckboxField, CheckboxGroup } from '../../components/form-fields.tsx';
import { label } from '../../lib/labels.ts';
import type { RouterOutputs } from '../../lib/trpc.ts';
import type { Purpose } from '../purposes/use-purposes.ts';
import { JourneyBasicsFields } from './journey-basics-fields.tsx';
import { applySettings, settingsOf, ZJourneySettingsForm, type JourneySettingsForm } from './journey-form.schema.ts';
import { FIXED_EXITS, type JourneyIssue } from './journey-labels.ts';

type Segment = RouterOutputs['segments']['list'][number];

/**
 * What the journey as a whole says, shown while no step is selected: name, purpose, trigger, the
 * exit rules (the four the law fixes, each with its reason, and conversion) and re-entry.
 */
export function JourneySettingsPanel({
  journey,
  draft,
  purposes,
  segments,
  issues,
  readOnly,
  onApply,
}: {
  journey: { name: string; description: string };
  draft: JourneyDefinition;
  purposes: readonly Purpose[];
  segments: readonly Segment[];
  issues: readonly JourneyIssue[];
  readOnly: boolean;
  onApply: (meta: { name: string; description: string }, draft: JourneyDefinition) => void;
}) {
  const form = useForm<JourneySettingsForm>({ resolver: zodResolver(ZJourneySettingsForm), defaultValues: settingsOf(journey, draft) });
  useEffect(() => {
    form.reset(settingsOf(journey, draft), { keepDirtyValues: true });
  }, [journey, draft, form]);
  const apply = form.handleSubmit((values) => {
    onApply({ name: values.name, description: values.description }, applySettings(draft, values));
    form.reset(values);
  });
  return (
    <form className="form journey-settings-form" onSubmit={(e) => void apply(e)} noValidate aria-label="Journey settings">
      <div className="journey-panel-title">
        <h2>Journey</h2>
        <span className="small muted">Select a step on the canvas to edit it.</span>
      </div>
      {issues.length > 0 ? (
        <ul className="journey-step-issues" aria-label="Issues of the journey">
          {issues.map((issue, i) => (
            <li key={`${issue.code}-${i}`}>{issue.message}</li>
          ))}
        </ul>
      ) : null}
      <fieldset className="fieldset" disabled={readOnly}>
        <JourneyBasicsFields form={form} purposes={purposes} segments={segments} idPrefix="journey" />
      </fieldset>
      <fieldset className="fieldset journey-exit-rules" disabled={readOnly}>
        <legend>Exit rules</legend>
        <p className="small muted">Contacts leave the journey at once, whatever step they are at, when:</p>
        <ul className="journey-fixed-exits">
          {FIXED_EXITS.map((exit) => (
            <li key={exit.key}>
              <input type="checkbox" checked readOnly disabled aria-label={exit.label} /> <span>{exit.label}</span>
              <span className="small muted block">Always on. {exit.why}</span>
            </li>
          ))}
        </ul>
        <CheckboxGroup
          id="journey-conversion"
          legend="They reach a conversion stage"
          hint="Optional: contacts who reach one of these lifecycle stages have converted and leave."
          options={ZLifecycleStage.options.map((stage) => ({ value: stage, label: label(stage) }))}
          registration={form.register('conversionStages')}
          error={undefined}
        />
        <CheckboxField
          id="journey-reentry"
          label="Contacts may enter again later"
          registration={form.register('allowReentry')}
          error={undefined}
          hint="After they left or finished, on a later trigger."
        />
      </fieldset>
      {readOnly ? null : (
        <div className="form-actions">
          <button type="submit" className="button button-primary button-small">
            Apply
          </button>
        </div>
      )}
    </form>
  );
}
