import { describe, expect, it } from 'vitest';
import { ZJourneyDefinition, type JourneyDefinition, type JourneyStep } from './definition.ts';
import { validateJourney } from './validate.ts';

const TEMPLATE = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const SEGMENT = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

const send = (id: string, next: string | null, label?: string): JourneyStep => ({
  id,
  ...(label ? { label } : {}),
  type: 'send',
  templateId: TEMPLATE,
  purposeId: 'newsletter',
  channel: 'email',
  track: false,
  next,
});
const wait = (id: string, next: string | null): JourneyStep => ({ id, type: 'wait', duration: { days: 3, hours: 0, minutes: 0 }, next });
const waitEvent = (id: string, onEvent: string | null, onTimeout: string | null): JourneyStep => ({
  id,
  type: 'wait_event',
  event: { type: 'interaction', kind: 'clicked' },
  timeout: { days: 2, hours: 0, minutes: 0 },
  onEvent,
  onTimeout,
});
const branch = (id: string, then: string | null, otherwise: string | null): JourneyStep => ({
  id,
  type: 'branch',
  match: 'all',
  conditions: [{ type: 'lifecycle', stages: ['lead'] }],
  then,
  else: otherwise,
});
const score = (id: string, next: string | null): JourneyStep => ({
  id,
  type: 'score',
  purposeId: 'lead_scoring',
  points: 10,
  reason: 'clicked',
  next,
});
const exit = (id: string): JourneyStep => ({ id, type: 'exit' });

/** A definition around the steps, parsed by the schema so that every fixture is a real one. */
const journey = (steps: JourneyStep[], entryStepId = steps[0]!.id): JourneyDefinition =>
  ZJourneyDefinition.parse({
    version: 1,
    purposeId: 'newsletter',
    trigger: { type: 'segment_entry', segmentId: SEGMENT },
    entryStepId,
    steps,
    exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
    allowReentry: false,
  });

const codes = (definition: JourneyDefinition) => validateJourney(definition).map((i) => [i.code, i.stepId, i.field]);

describe('validateJourney', () => {
  it.each<[string, JourneyStep[], string | undefined, (string | null)[][]]>([
    ['a straight line', [send('welcome', 'pause'), wait('pause', 'bye'), exit('bye')], undefined, []],
    ['a last step whose next is null (completes)', [send('welcome', null)], undefined, []],
    [
      'both handles of a wait-for-event and a branch',
      [
        waitEvent('clicked', 'check', 'reminder'),
        branch('check', 'score', 'bye'),
        score('score', 'bye'),
        send('reminder', null),
        exit('bye'),
      ],
      undefined,
      [],
    ],
    ['a duplicate ID', [send('welcome', 'bye'), exit('bye'), exit('bye')], undefined, [['DUPLICATE_STEP_ID', 'bye', 'id']]],
    ['an entry that names no step', [send('welcome', null)], 'start', [['ENTRY_STEP_MISSING', null, 'entryStepId']]],
    ['a next that names no step', [send('welcome', 'gone')], undefined, [['STEP_REFERENCE_MISSING', 'welcome', 'next']]],
    [
      'the event and timeout handles that name no step',
      [waitEvent('clicked', 'nowhere', 'elsewhere')],
      undefined,
      [
        ['STEP_REFERENCE_MISSING', 'clicked', 'onEvent'],
        ['STEP_REFERENCE_MISSING', 'clicked', 'onTimeout'],
      ],
    ],
    ['then and else that name no step', [branch('check', 'yes', null)], undefined, [['STEP_REFERENCE_MISSING', 'check', 'then']]],
    ['a branch whose else names no step', [branch('check', null, 'no')], undefined, [['STEP_REFERENCE_MISSING', 'check', 'else']]],
    ['a step nobody reaches', [send('welcome', null), exit('orphan')], undefined, [['STEP_UNREACHABLE', 'orphan', null]]],
    ['a loop of sends without a wait', [send('a', 'b'), send('b', 'a')], undefined, [['CYCLE_WITHOUT_WAIT', 'a', null]]],
    ['a step that leads to itself', [score('again', 'again')], undefined, [['CYCLE_WITHOUT_WAIT', 'again', null]]],
    ['a loop through a wait', [send('a', 'pause'), wait('pause', 'a')], undefined, []],
    ['a loop through a wait-for-event (timeout side)', [send('a', 'w'), waitEvent('w', null, 'a')], undefined, []],
    ['a loop through a branch only', [send('a', 'check'), branch('check', 'a', null)], undefined, [['CYCLE_WITHOUT_WAIT', 'a', null]]],
  ])('%s', (_, steps, entry, expected) => {
    expect(codes(journey(steps, entry))).toEqual(expected);
  });

  it('reports a loop once with its steps, even beside a loop that waits', () => {
    const issues = validateJourney(
      journey([send('a', 'b', 'Welcome'), score('b', 'c'), branch('c', 'a', 'w'), waitEvent('w', 'w2', null), wait('w2', 'w')]),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'CYCLE_WITHOUT_WAIT', stepId: 'a' });
    expect(issues[0]!.message).toContain('“Welcome” → “b” → “c”');
  });

  it('speaks of a step by its label, and says what to do', () => {
    const [issue] = validateJourney(journey([send('welcome', 'gone', 'Welcome mail')]));
    expect(issue!.message).toBe(
      '“Welcome mail” continues with “gone”, but there is no such step: connect it to an existing step or end the journey there.',
    );
  });

  it('handles a long chain without deep recursion', () => {
    const steps = Array.from({ length: 100 }, (_, i) => send(`s${i}`, i < 99 ? `s${i + 1}` : 's0'));
    expect(codes(journey(steps))).toEqual([['CYCLE_WITHOUT_WAIT', 's0', null]]);
  });
});
