import { randomUUID } from 'node:crypto';
import type { Db } from '@zweck/db';
import { DEMO_JOURNEY, seedDemoJourney } from '@zweck/db/seed';
import type { JourneyDefinition, JourneyStep } from '@zweck/journeys';
import { journeyTriggerWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { codeOf, rejection } from '../../test/helpers.ts';
import { definitionHash } from './journeys.router.ts';

const FOOTER_HTML =
  '<p>{{imprint}} · <a href="{{privacy_notice_url}}">Privacy</a> · <a href="{{preferences_url}}">Preferences</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>';
const FOOTER_TEXT = '{{imprint}}\nPrivacy: {{privacy_notice_url}}\nPreferences: {{preferences_url}}\nUnsubscribe: {{unsubscribe_url}}';

describe('journeys: designed, checked and published through the API', () => {
  let h: Harness;
  let db: Db;
  let templateId: string;
  let segmentId: string;

  beforeAll(async () => {
    h = await createHarness();
    db = h.db;
    templateId = randomUUID();
    await db.template.create({
      data: {
        id: templateId,
        name: 'Welcome to the journey',
        kind: 'marketing',
        subject: 'Welcome',
        html: `<p>Hello {{first_name}},</p>${FOOTER_HTML}`,
        text: `Hello {{first_name}},\n${FOOTER_TEXT}`,
        createdBy: 'system:test',
      },
    });
    segmentId = randomUUID();
    await db.segment.create({
      data: {
        id: segmentId,
        name: 'Journey entrants',
        description: '',
        definition: { version: 1, match: 'all', conditions: [] },
        createdBy: 'system:test',
      },
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  const marketer = () => h.callerFor('marketer').caller;

  const welcome: JourneyStep = {
    id: 'welcome',
    label: 'Welcome mail',
    type: 'send',
    templateId: '',
    purposeId: 'newsletter',
    channel: 'email',
    track: true,
    next: 'pause',
  };
  const steps = (extra: JourneyStep[] = []): JourneyStep[] => [
    { ...welcome, templateId },
    { id: 'pause', type: 'wait', duration: { days: 3, hours: 0, minutes: 0 }, next: extra[0]?.id ?? 'bye' },
    ...extra,
    { id: 'bye', label: 'Goodbye', type: 'exit' },
  ];
  const draftWith = (base: JourneyDefinition, list: JourneyStep[]): JourneyDefinition => ({ ...base, entryStepId: 'welcome', steps: list });

  async function newJourney(name: string) {
    return marketer().journeys.create({ name, purposeId: 'newsletter', trigger: { type: 'segment_entry', segmentId } });
  }

  it('starts a draft with its purpose, trigger and one exit step', async () => {
    const journey = await newJourney(`Starter ${randomUUID().slice(0, 6)}`);
    expect(journey.status).toBe('draft');
    expect(journey.versions).toEqual([]);
    expect(journey.draft).toMatchObject({ purposeId: 'newsletter', entryStepId: 'end', steps: [{ id: 'end', type: 'exit' }] });
    expect(journey.issues).toEqual([]);
    expect(await codeOf(newJourney(journey.name))).toBe('CONFLICT');
  });

  it('refuses to publish a scoring step under legitimate interest, with every issue; writes nothing', async () => {
    const journey = await newJourney('Refused');
    const scoring: JourneyStep = {
      id: 'score',
      label: 'Score the entrant',
      type: 'score',
      purposeId: 'customer_relationship',
      points: 10,
      reason: 'entered',
      next: 'bye',
    };
    const orphan: JourneyStep = { id: 'orphan', type: 'wait', duration: { days: 1, hours: 0, minutes: 0 }, next: null };
    const saved = await marketer().journeys.updateDraft({ id: journey.id, draft: draftWith(journey.draft, [...steps([scoring]), orphan]) });
    expect(saved.issues.map((i) => [i.code, i.stepId])).toEqual([
      ['STEP_UNREACHABLE', 'orphan'],
      ['PROFILING_NEEDS_CONSENT', 'score'],
    ]);

    const error = await rejection(marketer().journeys.publish({ id: journey.id }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.cause.code).toBe('JOURNEY_NOT_PUBLISHABLE');
    expect(Object.keys(error.cause.fieldErrors ?? {})).toEqual(['step:orphan', 'step:score']);
    expect(error.cause.fieldErrors?.['step:score']?.[0]).toContain('Detailed profiling and scoring need consent');
    expect(error.cause.fieldErrors?.['step:score']?.[0]).toContain('“Score the entrant”');
    expect(await db.journeyVersion.count({ where: { journeyId: journey.id } })).toBe(0);
    expect((await marketer().journeys.get({ id: journey.id })).status).toBe('draft');
  });

  it('refuses e-mail under a purpose without the channel, and a trigger segment that is gone', async () => {
    await db.purpose.create({
      data: {
        id: 'calls_only',
        name: 'Calls only',
        description: 'Calls.',
        legalBasis: 'consent',
        channels: ['phone'],
        isDirectMarketing: true,
      },
    });
    const journey = await newJourney('Wrong channel');
    const draft = { ...draftWith(journey.draft, steps()), trigger: { type: 'segment_entry' as const, segmentId: randomUUID() } };
    draft.steps[0] = { ...welcome, templateId, purposeId: 'calls_only' };
    const { issues } = await marketer().journeys.validate({ definition: draft });
    expect(issues.map((i) => [i.code, i.stepId, i.field])).toEqual([
      ['SEGMENT_NOT_FOUND', null, 'trigger.segmentId'],
      ['CHANNEL_NOT_IN_PURPOSE', 'welcome', 'channel'],
      ['CHANNEL_NOT_IN_PURPOSE', 'welcome', 'channel'],
    ]);
    expect(issues[1]!.article).toBe('Art. 5(1)(b) GDPR');
  });

  it('publishes version 1 and then 2; editing the draft after publishing leaves version 1 as it was', async () => {
    const journey = await newJourney('Nurture');
    await marketer().journeys.updateDraft({ id: journey.id, draft: draftWith(journey.draft, steps()) });

    const first = await marketer().journeys.publish({ id: journey.id });
    expect(first.version.number).toBe(1);
    const afterFirst = await marketer().journeys.get({ id: journey.id });
    expect(afterFirst.status).toBe('active');
    expect(afterFirst.hasUnpublishedChanges).toBe(false);
    expect(first.version.definitionHash).toBe(definitionHash(afterFirst.draft));
    expect(first.version.definitionHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const v1 = await db.journeyVersion.findUniqueOrThrow({ where: { id: first.version.id } });

    // Edit the published journey: only the draft changes.
    const edited = draftWith(afterFirst.draft, steps());
    edited.steps[0] = { ...welcome, templateId, label: 'Welcome mail, reworded' };
    await marketer().journeys.updateDraft({ id: journey.id, draft: edited });
    const stored = await db.journeyVersion.findUniqueOrThrow({ where: { id: first.version.id } });
    expect(stored.definition).toEqual(v1.definition);
    expect(stored.definitionHash).toBe(v1.definitionHash);
    expect((await marketer().journeys.get({ id: journey.id })).hasUnpublishedChanges).toBe(true);

    const second = await marketer().journeys.publish({ id: journey.id });
    expect(second.version.number).toBe(2);
    expect(second.version.definitionHash).not.toBe(first.version.definitionHash);
    const versions = await h.callerFor('dpo').caller.journeys.versions({ id: journey.id });
    expect(versions.map((v) => v.number)).toEqual([2, 1]);
    expect(versions[1]!.definition.steps[0]!.label).toBe('Welcome mail');
    expect(versions[0]!.definition.steps[0]!.label).toBe('Welcome mail, reworded');

    // The database itself refuses to change a published version.
    await expect(db.$executeRaw`UPDATE journey_version SET number = 9 WHERE id = ${first.version.id}::uuid`).rejects.toThrow(/immutable/);

    const list = await marketer().journeys.list();
    expect(list.find((j) => j.id === journey.id)).toMatchObject({ status: 'active', latestVersion: { number: 2 }, activeEnrollments: 0 });
  });

  it('pauses, resumes and archives; an archived journey is neither edited nor published', async () => {
    const journey = await newJourney('Lifecycle');
    expect(await codeOf(marketer().journeys.pause({ id: journey.id }))).toBe('CONFLICT');
    await marketer().journeys.updateDraft({ id: journey.id, draft: draftWith(journey.draft, steps()) });
    await marketer().journeys.publish({ id: journey.id });
    // Publishing a segment-entry journey starts its trigger (IDs only); pausing signals it to stop.
    const trigger = h.temporal.workflow.getHandle(journeyTriggerWorkflowId(journey.id));
    expect((await trigger.describe()).status.name).toBe('RUNNING');
    expect(await marketer().journeys.pause({ id: journey.id })).toEqual({ status: 'paused' });
    const signals = (await trigger.fetchHistory()).events?.flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes.signalName] : [],
    );
    expect(signals).toEqual(['wakeJourneyTrigger', 'stopJourneyTrigger']);
    expect(await codeOf(marketer().journeys.pause({ id: journey.id }))).toBe('CONFLICT');
    expect(await marketer().journeys.resume({ id: journey.id })).toEqual({ status: 'active' });
    expect(await marketer().journeys.archive({ id: journey.id })).toEqual({ status: 'archived' });
    const refused = await rejection(marketer().journeys.updateDraft({ id: journey.id, draft: journey.draft }));
    expect(refused.cause.code).toBe('JOURNEY_ARCHIVED');
    expect((await rejection(marketer().journeys.publish({ id: journey.id }))).cause.code).toBe('JOURNEY_ARCHIVED');
    const actions = await db.auditEvent.findMany({ where: { entityId: journey.id }, select: { action: true }, orderBy: { id: 'asc' } });
    expect(actions.map((a) => a.action)).toEqual([
      'journey.create',
      'journey.update_draft',
      'journey.publish',
      'journey.pause',
      'journey.resume',
      'journey.archive',
    ]);
  });

  it('refuses a draft that does not parse, naming the field, and writes nothing', async () => {
    const journey = await newJourney('Bad input');
    const bad = { ...journey.draft, steps: [{ id: 'Not An Id', type: 'exit' }] } as unknown as JourneyDefinition;
    const error = await rejection(marketer().journeys.updateDraft({ id: journey.id, draft: bad }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('draft.steps.0.id');
    expect((await marketer().journeys.get({ id: journey.id })).draft).toEqual(journey.draft);
  });

  it('counts contacts at each step and where they left, per version', async () => {
    const journey = await newJourney('Counted');
    await marketer().journeys.updateDraft({ id: journey.id, draft: draftWith(journey.draft, steps()) });
    const { version } = await marketer().journeys.publish({ id: journey.id });
    const enrol = async (data: { status: 'active' | 'exited'; currentStepId?: string; exitStepId?: string; exitReason?: string }) => {
      const contactId = randomUUID();
      await db.contact.create({ data: { id: contactId, email: `${contactId}@example.org`, emailNormalized: `${contactId}@example.org` } });
      await db.journeyEnrollment.create({
        data: {
          id: randomUUID(),
          journeyId: journey.id,
          journeyVersionId: version.id,
          contactId,
          workflowId: `journey:${journey.id}:${contactId}`,
          ...data,
        },
      });
    };
    await enrol({ status: 'active', currentStepId: 'pause' });
    await enrol({ status: 'active', currentStepId: 'pause' });
    await enrol({ status: 'active', currentStepId: 'welcome' });
    await enrol({ status: 'exited', exitStepId: 'bye', exitReason: 'exit_step' });
    await enrol({ status: 'exited', exitStepId: 'pause', exitReason: 'withdrew' });
    await enrol({ status: 'exited', exitStepId: 'pause', exitReason: 'withdrew' });

    const stats = await h.callerFor('dpo').caller.journeys.stats({ journeyId: journey.id });
    expect(stats.versions).toHaveLength(1);
    const [v] = stats.versions;
    expect(v).toMatchObject({ number: 1, active: 3, exited: 3 });
    expect(v!.atStep.toSorted((a, b) => String(a.stepId).localeCompare(String(b.stepId)))).toEqual([
      { stepId: 'pause', count: 2 },
      { stepId: 'welcome', count: 1 },
    ]);
    expect(v!.exits).toEqual([
      { stepId: 'pause', reason: 'withdrew', count: 2 },
      { stepId: 'bye', reason: 'exit_step', count: 1 },
    ]);
    expect((await marketer().journeys.list()).find((j) => j.id === journey.id)?.activeEnrollments).toBe(3);
    expect((await rejection(marketer().journeys.stats({ journeyId: journey.id, versionId: randomUUID() }))).cause.code).toBe(
      'JOURNEY_VERSION_NOT_FOUND',
    );
  });

  it('lets marketers and administrators write, the DPO read, and nobody else in', async () => {
    const journey = await newJourney('Roles');
    const { caller: dpo } = h.callerFor('dpo');
    const { caller: sales } = h.callerFor('sales');
    const { caller: admin } = h.callerFor('admin');
    const { caller: nobody } = h.callerFor(null);
    expect(await codeOf(dpo.journeys.get({ id: journey.id }))).toBe('OK');
    expect(await codeOf(dpo.journeys.stats({ journeyId: journey.id }))).toBe('OK');
    expect(await codeOf(dpo.journeys.updateDraft({ id: journey.id, draft: journey.draft }))).toBe('FORBIDDEN');
    expect(await codeOf(dpo.journeys.publish({ id: journey.id }))).toBe('FORBIDDEN');
    expect(
      await codeOf(dpo.journeys.create({ name: 'x', purposeId: 'newsletter', trigger: { type: 'event', name: 'trial.started' } })),
    ).toBe('FORBIDDEN');
    expect(await codeOf(sales.journeys.list())).toBe('FORBIDDEN');
    expect(await codeOf(nobody.journeys.list())).toBe('UNAUTHORIZED');
    expect(await codeOf(admin.journeys.updateDraft({ id: journey.id, draft: journey.draft }))).toBe('OK');
  });

  it('seeds a demo journey that the schema reads and that could be published as it is (twice: once)', async () => {
    await seedDemoJourney(db);
    await seedDemoJourney(db);
    const rows = await db.journey.findMany({ where: { name: DEMO_JOURNEY.name }, select: { id: true } });
    expect(rows).toHaveLength(1);
    const demo = await marketer().journeys.get({ id: rows[0]!.id });
    expect(demo.draft.steps.map((s) => s.type)).toEqual(['send', 'wait_event', 'score', 'exit', 'exit']);
    expect(demo.issues).toEqual([]);
  });
});
