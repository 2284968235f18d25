import { ZEventName, type JourneyDefinition, type JourneyTrigger } from '@zweck/journeys';
import { ZLifecycleStage } from '@zweck/segments/definition';
import { z } from 'zod';

export const TRIGGER_TYPES = [
  { value: 'segment_entry', label: 'Entering a segment' },
  { value: 'form_submitted', label: 'Confirming a hosted form' },
  { value: 'event', label: 'An event sent through the API' },
] as const;

/**
 * The journey's own settings as the inputs hold them: the trigger's three possible values stand
 * side by side, and only the one of the chosen type is required.
 */
export const ZJourneyBasicsForm = z
  .object({
    name: z.string().trim().min(1, 'Give the journey a name').max(120, 'At most 120 characters'),
    description: z.string().trim().max(500, 'At most 500 characters'),
    purposeId: z.string().min(1, 'Choose the purpose the journey serves'),
    triggerType: z.enum(['segment_entry', 'form_submitted', 'event']),
    segmentId: z.string(),
    formPurposeId: z.string(),
    eventName: z.string().trim(),
  })
  .superRefine((v, ctx) => {
    if (v.triggerType === 'segment_entry' && v.segmentId === '')
      ctx.addIssue({ code: 'custom', path: ['segmentId'], message: 'Choose a segment' });
    if (v.triggerType === 'form_submitted' && v.formPurposeId === '') {
      ctx.addIssue({ code: 'custom', path: ['formPurposeId'], message: 'Choose the purpose whose form starts the journey' });
    }
    if (v.triggerType === 'event' && !ZEventName.safeParse(v.eventName).success) {
      ctx.addIssue({ code: 'custom', path: ['eventName'], message: 'Lower-case letters, digits, "_" and ".", such as trial.started' });
    }
  });
export type JourneyBasicsForm = z.infer<typeof ZJourneyBasicsForm>;

export const ZJourneySettingsForm = z.intersection(
  ZJourneyBasicsForm,
  z.object({ conversionStages: z.array(ZLifecycleStage), allowReentry: z.boolean() }),
);
export type JourneySettingsForm = z.infer<typeof ZJourneySettingsForm>;

export const NEW_JOURNEY: JourneyBasicsForm = {
  name: '',
  description: '',
  purposeId: '',
  triggerType: 'segment_entry',
  segmentId: '',
  formPurposeId: '',
  eventName: '',
};

export function toTrigger(v: JourneyBasicsForm): JourneyTrigger {
  switch (v.triggerType) {
    case 'segment_entry':
      return { type: 'segment_entry', segmentId: v.segmentId };
    case 'form_submitted':
      return { type: 'form_submitted', purposeId: v.formPurposeId };
    case 'event':
      return { type: 'event', name: v.eventName };
  }
}

export function settingsOf(journey: { name: string; description: string }, draft: JourneyDefinition): JourneySettingsForm {
  const t = draft.trigger;
  return {
    name: journey.name,
    description: journey.description,
    purposeId: draft.purposeId,
    triggerType: t.type,
    segmentId: t.type === 'segment_entry' ? t.segmentId : '',
    formPurposeId: t.type === 'form_submitted' ? t.purposeId : '',
    eventName: t.type === 'event' ? t.name : '',
    conversionStages: draft.exitRules.conversion?.stages ?? [],
    allowReentry: draft.allowReentry,
  };
}

export function applySettings(draft: JourneyDefinition, v: JourneySettingsForm): JourneyDefinition {
  return {
    ...draft,
    purposeId: v.purposeId,
    trigger: toTrigger(v),
    exitRules: { ...draft.exitRules, conversion: v.conversionStages.length > 0 ? { stages: v.conversionStages } : null },
    allowReentry: v.allowReentry,
  };
}

export const JOURNEY_FORM_PATHS = ['name', 'description', 'purposeId', 'segmentId', 'formPurposeId', 'eventName'] as const;
export const isJourneyFormPath = (path: string): path is (typeof JOURNEY_FORM_PATHS)[number] =>
  (JOURNEY_FORM_PATHS as readonly string[]).includes(path);
