// The publish check against the real policy: every refusal here is the policy's own answer.
import { describe, expect, it } from 'vitest';
import { ZJourneyDefinition, type JourneyDefinition, type JourneyStep } from './definition.ts';
import { checkPublishable, type CataloguePurpose, type CatalogueTemplate, type PublishCatalogue } from './publish-check.ts';

const MARKETING = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const TRANSACTIONAL = '7f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const NO_FOOTER = '8f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const UNKNOWN = '9f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const SEGMENT = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

const PURPOSES: CataloguePurpose[] = [
  {
    id: 'newsletter',
    name: 'Newsletter',
    legalBasis: 'consent',
    channels: ['email'],
    isDirectMarketing: true,
    requiresDoubleOptIn: true,
  },
  {
    id: 'lead_scoring',
    name: 'Lead scoring',
    legalBasis: 'consent',
    channels: ['email'],
    isDirectMarketing: false,
  },
  {
    id: 'customer_relationship',
    name: 'Customer relationship',
    legalBasis: 'legitimate_interest',
    channels: ['email', 'phone'],
    isDirectMarketing: false,
    hasBalancingTest: true,
  },
  {
    id: 'interest_no_test',
    name: 'Interest without a test',
    legalBasis: 'legitimate_interest',
    channels: ['email'],
    isDirectMarketing: false,
    hasBalancingTest: false,
  },
  { id: 'phone_only', name: 'Phone only', legalBasis: 'consent', channels: ['phone'], isDirectMarketing: true },
  { id: 'service', name: 'Service', legalBasis: 'contract', channels: ['email'], isDirectMarketing: false },
];

const TEMPLATES: CatalogueTemplate[] = [
  { id: MARKETING, name: 'Welcome', kind: 'marketing', problems: [] },
  { id: TRANSACTIONAL, name: 'Receipt', kind: 'transactional', problems: [] },
  { id: NO_FOOTER, name: 'Bare', kind: 'marketing', problems: ['MISSING_REQUIRED_PLACEHOLDER', 'MISSING_REQUIRED_PLACEHOLDER'] },
];

const CATALOGUE: PublishCatalogue = {
  purposes: PURPOSES,
  templates: TEMPLATES,
  segmentIds: [SEGMENT],
  freeTextFieldKeys: ['notes'],
  now: '2026-11-29T12:00:00.000Z',
};

const send = (purposeId: string, templateId = MARKETING, track = false): JourneyStep => ({
  id: 'mail',
  label: 'Welcome mail',
  type: 'send',
  templateId,
  purposeId,
  channel: 'email',
  track,
  next: 'bye',
});
const score = (purposeId: string): JourneyStep => ({ id: 'points', type: 'score', purposeId, points: 5, reason: 'entered', next: 'bye' });
const handoff = (purposeId: string, channel: 'email' | 'phone'): JourneyStep => ({
  id: 'sales',
  type: 'handoff',
  purposeId,
  channel,
  next: 'bye',
});

const branchOn = (field: string): JourneyStep => ({
  id: 'check',
  type: 'branch',
  match: 'all',
  conditions: [
    { type: 'lifecycle', stages: ['lead'] },
    { type: 'field', field, op: 'contains', value: 'fair' },
  ],
  then: 'bye',
  else: 'bye',
});

const journey = (step: JourneyStep, overrides: Partial<JourneyDefinition> = {}): JourneyDefinition =>
  ZJourneyDefinition.parse({
    version: 1,
    purposeId: 'newsletter',
    trigger: { type: 'segment_entry', segmentId: SEGMENT },
    entryStepId: step.id,
    steps: [step, { id: 'bye', type: 'exit' }],
    exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
    allowReentry: false,
    ...overrides,
  });

const codes = (definition: JourneyDefinition, catalogue = CATALOGUE) =>
  checkPublishable(definition, catalogue).map((i) => [i.code, i.stepId, i.field]);

describe('checkPublishable', () => {
  it.each<[string, JourneyStep, (string | null)[][]]>([
    ['e-mail under a consent purpose with double opt-in', send('newsletter'), []],
    ['e-mail with tracking under a consent purpose', send('newsletter', MARKETING, true), []],
    ['e-mail under a purpose that uses the phone only', send('phone_only'), [['CHANNEL_NOT_IN_PURPOSE', 'mail', 'channel']]],
    [
      'tracked e-mail under a phone-only purpose: both actions refused',
      send('phone_only', MARKETING, true),
      [
        ['CHANNEL_NOT_IN_PURPOSE', 'mail', 'channel'],
        ['CHANNEL_NOT_IN_PURPOSE', 'mail', 'channel'],
      ],
    ],
    ['e-mail under legitimate interest with a balancing test', send('customer_relationship', TRANSACTIONAL), []],
    [
      'e-mail under legitimate interest without a balancing test',
      send('interest_no_test', TRANSACTIONAL),
      [['BALANCING_TEST_MISSING', 'mail', 'purposeId']],
    ],
    ['e-mail under a contract', send('service', TRANSACTIONAL), []],
    ['scoring under consent', score('lead_scoring'), []],
    ['scoring under legitimate interest', score('customer_relationship'), [['PROFILING_NEEDS_CONSENT', 'points', 'purposeId']]],
    ['scoring under a contract', score('service'), [['PROFILING_NEEDS_CONSENT', 'points', 'purposeId']]],
    ['hand-off by phone under a purpose with the phone', handoff('customer_relationship', 'phone'), []],
    ['hand-off by phone under an e-mail purpose', handoff('lead_scoring', 'phone'), [['CHANNEL_NOT_IN_PURPOSE', 'sales', 'channel']]],
    ['a step under a purpose not in the catalogue', score('vanished'), [['PURPOSE_NOT_FOUND', 'points', 'purposeId']]],
    ['a template that does not exist', send('newsletter', UNKNOWN), [['TEMPLATE_NOT_FOUND', 'mail', 'templateId']]],
    [
      'a transactional template under direct marketing',
      send('newsletter', TRANSACTIONAL),
      [['TEMPLATE_NOT_MARKETING', 'mail', 'templateId']],
    ],
    ['a marketing template without its footer', send('newsletter', NO_FOOTER), [['TEMPLATE_INVALID', 'mail', 'templateId']]],
    ['a branch on a field that is not free text', branchOn('city'), []],
    ['a branch on a free-text field (sealed)', branchOn('notes'), [['FIELD_NOT_SEGMENTABLE', 'check', 'conditions.1.field']]],
  ])('%s', (_, step, expected) => {
    expect(codes(journey(step))).toEqual(expected);
  });

  it('names the step, the purpose, the policy’s reason and its article', () => {
    const [issue] = checkPublishable(journey(send('phone_only')), CATALOGUE);
    expect(issue).toMatchObject({ code: 'CHANNEL_NOT_IN_PURPOSE', article: 'Art. 5(1)(b) GDPR' });
    expect(issue!.message).toBe(
      '“Welcome mail” sends e-mail under “Phone only”, which cannot carry it even with the person’s consent: This purpose does not cover this channel. (Art. 5(1)(b) GDPR)',
    );
  });

  it('checks the journey’s purpose and its trigger against the catalogue', () => {
    expect(
      codes(
        journey(send('newsletter'), {
          purposeId: 'gone_purpose',
          trigger: { type: 'segment_entry', segmentId: UNKNOWN },
        }),
      ),
    ).toEqual([
      ['PURPOSE_NOT_FOUND', null, 'purposeId'],
      ['SEGMENT_NOT_FOUND', null, 'trigger.segmentId'],
    ]);
    expect(codes(journey(send('newsletter'), { trigger: { type: 'form_submitted', purposeId: 'gone_purpose' } }))).toEqual([
      ['PURPOSE_NOT_FOUND', null, 'trigger.purposeId'],
    ]);
    expect(codes(journey(send('newsletter'), { trigger: { type: 'event', name: 'trial.started' } }))).toEqual([]);
  });

  it('includes the graph’s issues', () => {
    // Without an entry, reachability means nothing: the missing entry is the one issue.
    expect(codes(journey(send('newsletter'), { entryStepId: 'nowhere' }))).toEqual([['ENTRY_STEP_MISSING', null, 'entryStepId']]);
    const withOrphan = journey(send('phone_only'));
    withOrphan.steps.push({ id: 'orphan', type: 'exit' });
    expect(codes(withOrphan)).toEqual([
      ['STEP_UNREACHABLE', 'orphan', null],
      ['CHANNEL_NOT_IN_PURPOSE', 'mail', 'channel'],
    ]);
  });
});
