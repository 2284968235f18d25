import { ZJourneyDefinition } from '@zweck/journeys';
import { describe, expect, it } from 'vitest';
import { applySettings, settingsOf, ZJourneySettingsForm, type JourneySettingsForm } from './journey-form.schema.ts';

const SEGMENT = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

const draft = ZJourneyDefinition.parse({
  version: 1,
  purposeId: 'newsletter',
  trigger: { type: 'segment_entry', segmentId: SEGMENT },
  entryStepId: 'end',
  steps: [{ id: 'end', type: 'exit' }],
  exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
  allowReentry: false,
});

const errorsOf = (values: JourneySettingsForm) => {
  const result = ZJourneySettingsForm.safeParse(values);
  return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path.join('.'), i.message]));
};

describe('the journey settings form', () => {
  it('reads a draft and writes it back unchanged', () => {
    const values = settingsOf({ name: 'Welcome', description: '' }, draft);
    expect(values).toMatchObject({ triggerType: 'segment_entry', segmentId: SEGMENT, conversionStages: [], allowReentry: false });
    expect(applySettings(draft, values)).toEqual(draft);
  });

  it('changes the trigger, the conversion exit and re-entry, and the result still parses', () => {
    const values = settingsOf({ name: 'Welcome', description: '' }, draft);
    const changed = applySettings(draft, {
      ...values,
      triggerType: 'event',
      eventName: 'trial.started',
      conversionStages: ['customer'],
      allowReentry: true,
    });
    expect(changed.trigger).toEqual({ type: 'event', name: 'trial.started' });
    expect(changed.exitRules).toMatchObject({ withdrawal: true, erasure: true, conversion: { stages: ['customer'] } });
    expect(ZJourneyDefinition.safeParse(changed).success).toBe(true);
  });

  it('asks only for the value of the chosen trigger', () => {
    const values = settingsOf({ name: 'Welcome', description: '' }, draft);
    expect(errorsOf({ ...values, segmentId: '' })).toEqual({ segmentId: 'Choose a segment' });
    expect(errorsOf({ ...values, segmentId: '', triggerType: 'event', eventName: 'Bad Name' })).toHaveProperty('eventName');
    expect(errorsOf({ ...values, segmentId: '', triggerType: 'form_submitted', formPurposeId: 'newsletter' })).toEqual({});
    expect(errorsOf({ ...values, name: ' ' })).toEqual({ name: 'Give the journey a name' });
  });
});
