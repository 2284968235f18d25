import { ZJourneyDefinition, type JourneyDefinition } from '@zweck/journeys';
import { describe, expect, it } from 'vitest';
import { connect, edgesOf, freshStepId, moveStep, newStep, removeSteps } from './journey-graph.ts';

const TEMPLATE = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

const base: JourneyDefinition = ZJourneyDefinition.parse({
  version: 1,
  purposeId: 'newsletter',
  trigger: { type: 'event', name: 'trial.started' },
  entryStepId: 'mail',
  steps: [
    { id: 'mail', type: 'send', templateId: TEMPLATE, purposeId: 'newsletter', channel: 'email', track: false, next: 'clicked' },
    {
      id: 'clicked',
      type: 'wait_event',
      event: { type: 'interaction', kind: 'clicked' },
      timeout: { days: 3, hours: 0, minutes: 0 },
      onEvent: 'bye',
      onTimeout: null,
    },
    { id: 'bye', type: 'exit' },
  ],
  exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
  allowReentry: false,
});

describe('the designer’s edits', () => {
  it('draws one edge per reference, labelled by its handle', () => {
    expect(edgesOf(base).map((e) => [e.id, e.source, e.sourceHandle, e.target, e.label])).toEqual([
      ['mail:next', 'mail', 'next', 'clicked', undefined],
      ['clicked:onEvent', 'clicked', 'onEvent', 'bye', 'event'],
    ]);
  });

  it('connects a handle, replaces its target, and refuses a step to itself', () => {
    const timeout = connect(base, 'clicked', 'onTimeout', 'mail');
    expect(timeout.steps[1]).toMatchObject({ onEvent: 'bye', onTimeout: 'mail' });
    expect(connect(timeout, 'clicked', 'onTimeout', 'bye').steps[1]).toMatchObject({ onTimeout: 'bye' });
    expect(connect(base, 'mail', 'next', 'mail')).toBe(base);
    // A handle the step does not have changes nothing.
    expect(connect(base, 'mail', 'then', 'bye').steps[0]).toEqual(base.steps[0]);
  });

  it('deletes a step and every reference to it, but never the last step', () => {
    const without = removeSteps(base, ['bye']);
    expect(without.steps.map((s) => s.id)).toEqual(['mail', 'clicked']);
    expect(without.steps[1]).toMatchObject({ onEvent: null, onTimeout: null });
    expect(ZJourneyDefinition.safeParse(without).success).toBe(true);
    const only = removeSteps(without, ['clicked']);
    expect(removeSteps(only, ['mail'])).toBe(only);
  });

  it('adds steps that the schema accepts, with fresh IDs, below the others', () => {
    const moved = moveStep(base, 'bye', { x: 10.4, y: 300.6 });
    expect(moved.steps[2]!.position).toEqual({ x: 10, y: 301 });
    for (const type of ['send', 'wait', 'wait_event', 'branch', 'score', 'handoff', 'exit'] as const) {
      const step = newStep(moved, type, { purposeId: 'newsletter', templateId: TEMPLATE });
      expect(step).not.toBeNull();
      expect(ZJourneyDefinition.safeParse({ ...moved, steps: [...moved.steps, step] }).success).toBe(true);
      expect(step!.position!.y).toBe(461);
    }
    expect(freshStepId({ ...base, steps: [...base.steps, { id: 'wait-event-1', type: 'exit' }] }, 'wait_event')).toBe('wait-event-2');
    expect(newStep(base, 'send', { purposeId: 'newsletter', templateId: null })).toBeNull();
  });
});
