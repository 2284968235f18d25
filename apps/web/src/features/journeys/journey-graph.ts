// The designer's edits as pure functions over the definition: the canvas shows what these return,
// so that what is drawn is always what would be saved.
import { linksOf, type JourneyDefinition, type JourneyStep, type JourneyStepType, type StepLink } from '@zweck/journeys';

export type { StepLink };

/** The words on a step's outgoing handles, in the order they are drawn. */
export const HANDLE_LABELS: Record<StepLink, string> = {
  next: 'next',
  onEvent: 'event',
  onTimeout: 'timeout',
  then: 'yes',
  else: 'no',
};

export interface GraphEdge {
  id: string;
  source: string;
  sourceHandle: StepLink;
  target: string;
  label: string | undefined;
}

/** One edge per reference that names an existing step; a dangling one is an issue, not an edge. */
export function edgesOf(definition: JourneyDefinition): GraphEdge[] {
  const ids = new Set(definition.steps.map((s) => s.id));
  return definition.steps.flatMap((step) =>
    linksOf(step).flatMap(({ link, target }) =>
      target !== null && ids.has(target)
        ? [
            {
              id: `${step.id}:${link}`,
              source: step.id,
              sourceHandle: link,
              target,
              label: link === 'next' ? undefined : HANDLE_LABELS[link],
            },
          ]
        : [],
    ),
  );
}

const withLink = (step: JourneyStep, link: StepLink, target: string | null): JourneyStep => {
  if (step.type === 'exit') return step;
  if (!linksOf(step).some((l) => l.link === link)) return step;
  return { ...step, [link]: target };
};

/** Points one handle of a step at another step (or at nothing: the journey ends there). */
export function connect(definition: JourneyDefinition, source: string, link: StepLink, target: string | null): JourneyDefinition {
  if (target === source) return definition;
  return { ...definition, steps: definition.steps.map((s) => (s.id === source ? withLink(s, link, target) : s)) };
}

/** Removes steps and every reference to them; the entry stays as it is and is reported if it is gone. */
export function removeSteps(definition: JourneyDefinition, ids: readonly string[]): JourneyDefinition {
  const gone = new Set(ids);
  const steps = definition.steps
    .filter((s) => !gone.has(s.id))
    .map((s) =>
      linksOf(s).reduce((step, { link, target }) => (target !== null && gone.has(target) ? withLink(step, link, null) : step), s),
    );
  // The schema needs one step at least: the last one cannot be deleted.
  return steps.length === 0 ? definition : { ...definition, steps };
}

export function updateStep(definition: JourneyDefinition, step: JourneyStep): JourneyDefinition {
  return { ...definition, steps: definition.steps.map((s) => (s.id === step.id ? step : s)) };
}

export function moveStep(definition: JourneyDefinition, id: string, position: { x: number; y: number }): JourneyDefinition {
  const rounded = { x: Math.round(position.x), y: Math.round(position.y) };
  return { ...definition, steps: definition.steps.map((s) => (s.id === id ? { ...s, position: rounded } : s)) };
}

/** The next free ID of the form `<type>-<n>` (IDs stay stable, labels are for people). */
export function freshStepId(definition: JourneyDefinition, type: JourneyStepType): string {
  const taken = new Set(definition.steps.map((s) => s.id));
  const stem = type.replace('_', '-');
  for (let n = 1; ; n++) if (!taken.has(`${stem}-${n}`)) return `${stem}-${n}`;
}

/** Where a step without a saved position is drawn: a column, in definition order. */
/** Vertical room per step: a node with its figures is about 110 pixels high. */
const ROW = 160;

export const defaultPosition = (index: number): { x: number; y: number } => ({ x: 0, y: index * ROW });

/** Below the lowest step, so that a new step never lands on another. */
export function positionForNewStep(definition: JourneyDefinition): { x: number; y: number } {
  const positions = definition.steps.map((s, i) => s.position ?? defaultPosition(i));
  const lowest = positions.reduce((low, p) => (p.y > low.y ? p : low), { x: 0, y: -ROW });
  return { x: lowest.x, y: lowest.y + ROW };
}

export interface StepDefaults {
  /** The journey's purpose: the natural one for each new step. */
  purposeId: string;
  /** A template to start a send step with; null: there is none yet. */
  templateId: string | null;
}

/** A new step of the type, valid under the schema, with sensible values the marketer then edits. */
export function newStep(definition: JourneyDefinition, type: JourneyStepType, defaults: StepDefaults): JourneyStep | null {
  const base = { id: freshStepId(definition, type), position: positionForNewStep(definition) };
  switch (type) {
    case 'send':
      if (defaults.templateId === null) return null;
      return {
        ...base,
        label: 'Send e-mail',
        type,
        templateId: defaults.templateId,
        purposeId: defaults.purposeId,
        channel: 'email',
        track: false,
        next: null,
      };
    case 'wait':
      return { ...base, label: 'Wait', type, duration: { days: 1, hours: 0, minutes: 0 }, next: null };
    case 'wait_event':
      return {
        ...base,
        label: 'Wait for a click',
        type,
        event: { type: 'interaction', kind: 'clicked' },
        timeout: { days: 3, hours: 0, minutes: 0 },
        onEvent: null,
        onTimeout: null,
      };
    case 'branch':
      return {
        ...base,
        label: 'Branch',
        type,
        match: 'all',
        conditions: [{ type: 'interaction', kind: 'clicked', op: 'at_least' }],
        then: null,
        else: null,
      };
    case 'score':
      return { ...base, label: 'Change score', type, purposeId: defaults.purposeId, points: 10, reason: 'Journey step', next: null };
    case 'handoff':
      return { ...base, label: 'Hand off to sales', type, purposeId: defaults.purposeId, channel: 'email', next: null };
    case 'exit':
      return { ...base, label: 'Exit', type };
  }
}
