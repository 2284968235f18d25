// The graph rules of a journey definition: what the schema cannot say about a graph. Pure: the
// designer shows these issues while the marketer draws, and the API refuses to publish while any
// remain.
import type { JourneyDefinition, JourneyStep, StepId } from './definition.ts';

/**
 * Stable issue codes: the designer and the tests branch on them, never on the sentence. The
 * publish check (publish-check.ts) adds its own, and the policy's reason codes.
 */
export const GRAPH_ISSUE_CODES = [
  'DUPLICATE_STEP_ID',
  'ENTRY_STEP_MISSING',
  'STEP_REFERENCE_MISSING',
  'STEP_UNREACHABLE',
  'CYCLE_WITHOUT_WAIT',
] as const;
export type GraphIssueCode = (typeof GRAPH_ISSUE_CODES)[number];

/** Where on a step a reference sits: the designer draws each as one outgoing handle. */
export type StepLink = 'next' | 'onEvent' | 'onTimeout' | 'then' | 'else';

export interface JourneyIssue<Code extends string = string> {
  code: Code;
  /** The step the issue is about; null for the journey as a whole (its trigger, its purpose). */
  stepId: StepId | null;
  /** The property of the step (or of the journey) that is wrong, where there is one. */
  field: string | null;
  /** One sentence a marketer understands. */
  message: string;
}

export type GraphIssue = JourneyIssue<GraphIssueCode>;

/** How the designer names a step in a sentence: its label, else its ID. */
export const stepName = (step: Pick<JourneyStep, 'id' | 'label'>): string => `“${step.label?.trim() || step.id}”`;

/** The references of a step with the property each sits in, in handle order. */
export function linksOf(step: JourneyStep): { link: StepLink; target: StepId | null }[] {
  switch (step.type) {
    case 'wait_event':
      return [
        { link: 'onEvent', target: step.onEvent },
        { link: 'onTimeout', target: step.onTimeout },
      ];
    case 'branch':
      return [
        { link: 'then', target: step.then },
        { link: 'else', target: step.else },
      ];
    case 'exit':
      return [];
    default:
      return [{ link: 'next', target: step.next }];
  }
}

const LINK_WORDS: Record<StepLink, string> = {
  next: 'continues with',
  onEvent: 'continues, when the event happens, with',
  onTimeout: 'continues, when the wait runs out, with',
  then: 'continues, when the conditions hold, with',
  else: 'continues, when they do not, with',
};

/** Steps that let time pass: a loop through one of them runs at most once per wait. */
const isWaiting = (step: JourneyStep): boolean => step.type === 'wait' || step.type === 'wait_event';

/**
 * Strongly connected components (Tarjan), iteratively so that a long chain cannot overflow the
 * stack. Hand-written: twenty lines for a graph of at most MAX_STEPS nodes do not justify a graph
 * library in a package that runs in the workflow sandbox and the browser.
 */
function stronglyConnected(nodes: readonly StepId[], edges: ReadonlyMap<StepId, readonly StepId[]>): StepId[][] {
  let counter = 0;
  const index = new Map<StepId, number>();
  const low = new Map<StepId, number>();
  const onStack = new Set<StepId>();
  const stack: StepId[] = [];
  const components: StepId[][] = [];
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: StepId; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = edges.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: StepId[] = [];
        let member: StepId;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

/**
 * Checks the graph: unique step IDs, every reference (entry, next, onEvent, onTimeout, then, else)
 * names a step, every step can be reached from the entry, and every loop passes a waiting step (a
 * loop without one would send, score or hand off again and again without pause). The definition
 * is assumed to parse with ZJourneyDefinition; an empty list means the graph is sound.
 */
export function validateJourney(definition: JourneyDefinition): GraphIssue[] {
  const issues: GraphIssue[] = [];
  const byId = new Map<StepId, JourneyStep>();
  for (const step of definition.steps) {
    if (byId.has(step.id)) {
      issues.push({
        code: 'DUPLICATE_STEP_ID',
        stepId: step.id,
        field: 'id',
        message: `Two steps have the ID “${step.id}”: every step needs its own ID, so that the journey knows where to continue.`,
      });
      continue;
    }
    byId.set(step.id, step);
  }

  if (!byId.has(definition.entryStepId)) {
    issues.push({
      code: 'ENTRY_STEP_MISSING',
      stepId: null,
      field: 'entryStepId',
      message: `The journey starts at “${definition.entryStepId}”, but there is no such step: choose the step contacts enter first.`,
    });
  }

  const edges = new Map<StepId, StepId[]>();
  for (const step of byId.values()) {
    const targets: StepId[] = [];
    for (const { link, target } of linksOf(step)) {
      if (target === null) continue;
      if (!byId.has(target)) {
        issues.push({
          code: 'STEP_REFERENCE_MISSING',
          stepId: step.id,
          field: link,
          message: `${stepName(step)} ${LINK_WORDS[link]} “${target}”, but there is no such step: connect it to an existing step or end the journey there.`,
        });
        continue;
      }
      targets.push(target);
    }
    edges.set(step.id, targets);
  }

  // Reachability from the entry, breadth first.
  const reached = new Set<StepId>();
  if (byId.has(definition.entryStepId)) {
    const queue: StepId[] = [definition.entryStepId];
    reached.add(definition.entryStepId);
    while (queue.length > 0) {
      for (const target of edges.get(queue.shift()!) ?? []) {
        if (reached.has(target)) continue;
        reached.add(target);
        queue.push(target);
      }
    }
    for (const step of byId.values()) {
      if (reached.has(step.id)) continue;
      issues.push({
        code: 'STEP_UNREACHABLE',
        stepId: step.id,
        field: null,
        message: `No contact can reach ${stepName(step)}: connect a step before it, or delete it.`,
      });
    }
  }

  // A loop is harmless only if it waits: look for cycles among the steps that do not.
  const instant = [...byId.values()].filter((s) => !isWaiting(s)).map((s) => s.id);
  const instantSet = new Set(instant);
  const instantEdges = new Map(instant.map((id) => [id, (edges.get(id) ?? []).filter((t) => instantSet.has(t))]));
  const order = new Map(definition.steps.map((s, i) => [s.id, i]));
  for (const component of stronglyConnected(instant, instantEdges)) {
    const [only] = component;
    const isLoop = component.length > 1 || (only !== undefined && (instantEdges.get(only) ?? []).includes(only));
    if (!isLoop) continue;
    const members = component.sort((a, b) => order.get(a)! - order.get(b)!);
    const first = byId.get(members[0]!)!;
    const names = members.map((id) => stepName(byId.get(id)!)).join(' → ');
    issues.push({
      code: 'CYCLE_WITHOUT_WAIT',
      stepId: first.id,
      field: null,
      message:
        members.length === 1
          ? `${stepName(first)} leads back to itself without a wait: a contact would repeat it without pause. Add a wait, or end the journey.`
          : `The steps ${names} form a loop without a wait: a contact would go round it without pause. Put a wait or a wait-for-event step into the loop.`,
    });
  }

  return issues;
}
