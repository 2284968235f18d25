import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '@zweck/db';
import type { EncryptionCodec } from '@zweck/temporal-codec';
import { createConfirmToken } from '@zweck/mail/unsubscribe-token';
import type { journeySegmentTriggerWorkflow, journeyWorkflow } from '@zweck/workflows';
import { journeyStepIdempotencyKey, journeyTriggerWorkflowId, journeyWorkflowId, type JourneyOutcome } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHarness, type Harness } from '../test/harness.ts';
import { rejection } from '../test/helpers.ts';
import { startSendingWorker, type SendingWorker } from '../test/mail-sink.ts';
import { activateJourneyTriggers, deactivateJourneyTriggers } from './triggers.ts';
import type { FastifyInstance } from 'fastify';

const FOOTER_HTML =
  '<p>{{imprint}} · <a href="{{privacy_notice_url}}">Privacy</a> · <a href="{{preferences_url}}">Preferences</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>';
const FOOTER_TEXT = '{{imprint}}\nPrivacy: {{privacy_notice_url}}\nPreferences: {{preferences_url}}\nUnsubscribe: {{unsubscribe_url}}';
/** A real run on a loaded machine: give the workflow time, but not forever. */
const RUN_TIMEOUT = 60_000;
/** A test waits for the worker several times over. */
const TEST_TIMEOUT = 180_000;

type Payload = Parameters<EncryptionCodec['decode']>[0][number];

describe('journey runtime: enrolled by an API event, run by the real worker against PostgreSQL, Temporal and an SMTP sink', () => {
  let h: Harness & { app: FastifyInstance };
  let db: Db;
  let sender: SendingWorker;
  let journeyId: string;
  const marker = randomUUID().slice(0, 8);

  beforeAll(async () => {
    h = await createHttpHarness();
    db = h.db;
    sender = await startSendingWorker(h);
    const templates = { welcome: randomUUID(), followUp: randomUUID() };
    await db.template.createMany({
      data: [
        {
          id: templates.welcome,
          name: `Trial welcome ${marker}`,
          kind: 'marketing',
          subject: 'Welcome to your trial, {{first_name}}',
          html: `<p>Hello {{first_name}}, your trial has started.</p>${FOOTER_HTML}`,
          text: `Hello {{first_name}}, your trial has started.\n${FOOTER_TEXT}`,
          createdBy: 'system:test',
        },
        {
          id: templates.followUp,
          name: `Trial follow-up ${marker}`,
          kind: 'marketing',
          subject: 'How is your trial going?',
          html: `<p>How is it going?</p>${FOOTER_HTML}`,
          text: `How is it going?\n${FOOTER_TEXT}`,
          createdBy: 'system:test',
        },
      ],
    });
    const send = (id: string, templateId: string, next: string | null) => ({
      id,
      type: 'send',
      templateId,
      purposeId: 'newsletter',
      channel: 'email',
      track: false,
      next,
    });
    // A published version as the designer stores it (the runtime reads the latest published version).
    const definition = {
      version: 1,
      purposeId: 'newsletter',
      trigger: { type: 'event', name: 'trial.started' },
      entryStepId: 'welcome',
      steps: [
        send('welcome', templates.welcome, 'wait-webinar'),
        {
          id: 'wait-webinar',
          type: 'wait_event',
          event: { type: 'event', name: 'webinar.attended' },
          timeout: { days: 7, hours: 0, minutes: 0 },
          onEvent: 'follow-up',
          onTimeout: 'follow-up',
        },
        send('follow-up', templates.followUp, null),
      ],
      exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
      allowReentry: false,
    };
    journeyId = randomUUID();
    await db.journey.create({
      data: { id: journeyId, name: `Trial nurture ${marker}`, status: 'active', draft: definition, createdBy: 'system:test' },
    });
    await db.journeyVersion.create({
      data: { id: randomUUID(), journeyId, number: 1, definition, definitionHash: 'test', publishedBy: 'system:test' },
    });
  });

  /** An active journey with one published version: a single send step, on the given trigger. */
  async function oneStepJourney(name: string, trigger: Record<string, string>): Promise<string> {
    const id = randomUUID();
    const templateId = randomUUID();
    await db.template.create({
      data: {
        id: templateId,
        name: `${name} ${marker}`,
        kind: 'marketing',
        subject: name,
        html: `<p>${name}</p>${FOOTER_HTML}`,
        text: `${name}\n${FOOTER_TEXT}`,
        createdBy: 'system:test',
      },
    });
    const definition = {
      version: 1,
      purposeId: 'newsletter',
      trigger,
      entryStepId: 'hello',
      steps: [{ id: 'hello', type: 'send', templateId, purposeId: 'newsletter', channel: 'email', track: false, next: null }],
      exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
      allowReentry: false,
    };
    await db.journey.create({ data: { id, name: `${name} ${marker}`, status: 'active', draft: definition, createdBy: 'system:test' } });
    await db.journeyVersion.create({
      data: { id: randomUUID(), journeyId: id, number: 1, definition, definitionHash: 'test', publishedBy: 'system:test' },
    });
    return id;
  }

  afterAll(async () => {
    await sender?.stop();
    await h?.close();
  });

  /** A subscriber with a confirmed newsletter consent. */
  async function subscriber(local: string, firstName: string): Promise<{ contactId: string; email: string }> {
    const contactId = randomUUID();
    const email = `${local}-${marker}@example.org`;
    await db.contact.create({ data: { id: contactId, email, emailNormalized: email, firstName } });
    const base = { contactId, purposeId: 'newsletter', channel: 'email', source: 'test', actor: 'contact' } as const;
    await db.consentEvent.createMany({
      data: [
        { ...base, kind: 'granted', method: 'web_form', occurredAt: new Date('2026-11-01T10:00:00Z') },
        { ...base, kind: 'confirmed', method: 'double_opt_in', occurredAt: new Date('2026-11-01T10:05:00Z') },
      ],
    });
    return { contactId, email };
  }

  const mailsTo = async (email: string) => (await sender.sink.list()).filter((m) => m.to === email);
  const enrollmentsOf = (contactId: string) =>
    db.journeyEnrollment.findMany({
      where: { contactId, journeyId },
      orderBy: { enteredAt: 'asc' },
      select: { id: true, status: true, currentStepId: true, stepEnteredAt: true, exitReason: true, exitStepId: true, workflowId: true },
    });

  it(
    'enrols on the event, mails with the deterministic Message-ID, refuses a second enrolment, and ends as "withdrew" on unsubscribe with no further mail',
    async () => {
      const { caller } = h.callerFor('marketer');
      const { contactId, email } = await subscriber('canary', 'Zebediah');

      const emitted = await caller.events.emit({ contactId, name: 'trial.started', details: { plan: 'pro', seats: 5 } });
      expect(emitted.enrolledIn).toEqual([journeyId]);
      const [enrollment] = await enrollmentsOf(contactId);
      expect(enrollment).toMatchObject({ status: 'active', workflowId: journeyWorkflowId(journeyId, contactId) });

      // The send step mails once, with the Message-ID derived from (enrolment, step); then the contact waits.
      await expect.poll(async () => (await mailsTo(email)).length, { timeout: RUN_TIMEOUT }).toBe(1);
      await expect.poll(async () => (await enrollmentsOf(contactId))[0]?.currentStepId, { timeout: RUN_TIMEOUT }).toBe('wait-webinar');
      const [welcome] = await mailsTo(email);
      const key = journeyStepIdempotencyKey(enrollment!.id, 'welcome');
      const expectedMessageId = `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@${h.env.MAIL_DOMAIN}>`;
      expect(welcome!.messageId).toBe(expectedMessageId);
      expect(welcome!.subject).toBe('Welcome to your trial, Zebediah');
      expect(await db.message.findUniqueOrThrow({ where: { idempotencyKey: key }, select: { status: true, messageId: true } })).toEqual({
        status: 'sent',
        messageId: expectedMessageId,
      });

      // The contact page's view (a marketer says why they open the contact first): one active
      // enrolment at the waiting step, waiting about seven days.
      expect((await rejection(caller.journeyRuntime.listForContact({ contactId }))).cause.code).toBe('CONTACT_REASON_REQUIRED');
      await caller.contacts.open({ id: contactId, reason: 'campaign_check' });
      const listed = await caller.journeyRuntime.listForContact({ contactId });
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ enrollmentId: enrollment!.id, status: 'active', currentStepId: 'wait-webinar', versionNumber: 1 });
      expect(Date.parse(listed[0]!.waitingUntil!) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

      // One active enrolment per journey and contact: by hand and by a repeated trigger alike.
      const twice = await rejection(caller.journeyRuntime.enroll({ journeyId, contactId }));
      expect(twice.code).toBe('CONFLICT');
      expect(twice.cause.code).toBe('JOURNEY_ALREADY_ENROLLED');
      expect((await caller.events.emit({ contactId, name: 'trial.started' })).enrolledIn).toEqual([]);
      expect(await enrollmentsOf(contactId)).toHaveLength(1);

      // The person unsubscribes with the link of the journey's mail, while the journey waits.
      const stored = await sender.sink.get(welcome!.id);
      const listUnsubscribe = stored!.headers.find((x) => x.name.toLowerCase() === 'list-unsubscribe')!.value;
      const token = /https:\/\/zweck\.test\/u\/([^>]+)>/.exec(listUnsubscribe)![1]!;
      const unsubscribed = await h.app.inject({
        method: 'POST',
        url: `/u/${token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(unsubscribed.statusCode).toBe(200);

      const handle = h.temporal.workflow.getHandle<typeof journeyWorkflow>(journeyWorkflowId(journeyId, contactId));
      const outcome: JourneyOutcome = await handle.result();
      expect(outcome).toEqual({ outcome: 'exited', reason: 'withdrew', atStepId: 'wait-webinar' });
      const [ended] = await enrollmentsOf(contactId);
      expect(ended).toMatchObject({ status: 'exited', exitReason: 'withdrew', exitStepId: 'wait-webinar', currentStepId: null });

      // The event it waited for arrives afterwards: nothing more is sent, and it does not re-enrol.
      await caller.events.emit({ contactId, name: 'webinar.attended' });
      const again = await rejection(caller.journeyRuntime.enroll({ journeyId, contactId }));
      expect(again.cause.code).toBe('JOURNEY_REENTRY_NOT_ALLOWED');
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await mailsTo(email)).toHaveLength(1);
      expect(await db.message.count({ where: { contactId } })).toBe(1);

      // The history, read without the payload codec and decrypted, holds no address and no name.
      const history = await handle.fetchHistory();
      const raw = JSON.stringify(history, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
      expect(raw).not.toMatch(/zebediah|canary-|@example\.org/i);
      const payloads: Payload[] = [];
      const collect = (node: unknown): void => {
        if (node === null || typeof node !== 'object') return;
        if ('metadata' in node && 'data' in node && (node as Payload).data instanceof Uint8Array) payloads.push(node as Payload);
        else for (const value of Object.values(node)) collect(value);
      };
      collect(history);
      expect(payloads.length).toBeGreaterThan(10);
      const plain = await h.codec.decode(payloads);
      const text = plain.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
      expect(text).toContain(enrollment!.id);
      expect(text).toContain('wait-webinar');
      expect(text).not.toMatch(/zebediah|canary-|@example\.org/i);
    },
    TEST_TIMEOUT,
  );

  it(
    'the awaited event moves the enrolment on; staff can end an enrolment by hand',
    async () => {
      const { caller } = h.callerFor('marketer');
      const attends = await subscriber('attends', 'Ottilie');
      expect((await caller.events.emit({ contactId: attends.contactId, name: 'trial.started' })).enrolledIn).toEqual([journeyId]);
      await expect
        .poll(async () => (await enrollmentsOf(attends.contactId))[0]?.currentStepId, { timeout: RUN_TIMEOUT })
        .toBe('wait-webinar');
      await caller.events.emit({ contactId: attends.contactId, name: 'webinar.attended', details: { webinar_id: 'w-42' } });
      await expect.poll(async () => (await enrollmentsOf(attends.contactId))[0]?.exitReason, { timeout: RUN_TIMEOUT }).toBe('completed');
      expect((await mailsTo(attends.email)).map((m) => m.subject).sort()).toEqual([
        'How is your trial going?',
        'Welcome to your trial, Ottilie',
      ]);
      expect((await enrollmentsOf(attends.contactId))[0]).toMatchObject({ status: 'exited', exitStepId: 'follow-up' });

      const manual = await subscriber('manual', 'Eulalia');
      const { enrollmentId } = await caller.journeyRuntime.enroll({ journeyId, contactId: manual.contactId });
      await expect
        .poll(async () => (await enrollmentsOf(manual.contactId))[0]?.currentStepId, { timeout: RUN_TIMEOUT })
        .toBe('wait-webinar');
      expect(await caller.journeyRuntime.end({ enrollmentId })).toEqual({ status: 'ended' });
      const outcome: JourneyOutcome = await h.temporal.workflow
        .getHandle<typeof journeyWorkflow>(journeyWorkflowId(journeyId, manual.contactId))
        .result();
      expect(outcome.reason).toBe('cancelled');
      expect((await enrollmentsOf(manual.contactId))[0]).toMatchObject({
        status: 'exited',
        exitReason: 'cancelled',
        exitStepId: 'wait-webinar',
      });
      expect((await rejection(caller.journeyRuntime.end({ enrollmentId }))).cause.code).toBe('JOURNEY_ENROLLMENT_NOT_ACTIVE');
      expect(await mailsTo(manual.email)).toHaveLength(1);
    },
    TEST_TIMEOUT,
  );

  it(
    "a merge ends the merged-away record's enrolment as cancelled and moves its rows to the survivor",
    async () => {
      const { caller } = h.callerFor('marketer');
      const duplicate = await subscriber('merged', 'Friedhelm');
      const survivor = await subscriber('survives', 'Friedhelm');
      await caller.events.emit({ contactId: duplicate.contactId, name: 'trial.started' });
      await expect
        .poll(async () => (await enrollmentsOf(duplicate.contactId))[0]?.currentStepId, { timeout: RUN_TIMEOUT })
        .toBe('wait-webinar');
      const [before] = await enrollmentsOf(duplicate.contactId);
      // Merging needs both records open: a marketer gives the reason for each first (need to know).
      for (const id of [survivor.contactId, duplicate.contactId]) await caller.contacts.open({ id, reason: 'correction' });
      await caller.contacts.merge({ survivorId: survivor.contactId, duplicateId: duplicate.contactId });
      const outcome: JourneyOutcome = await h.temporal.workflow
        .getHandle<typeof journeyWorkflow>(journeyWorkflowId(journeyId, duplicate.contactId))
        .result();
      expect(outcome.reason).toBe('cancelled');
      expect(await enrollmentsOf(survivor.contactId)).toEqual([
        expect.objectContaining({ id: before!.id, status: 'exited', exitReason: 'cancelled', exitStepId: 'wait-webinar' }),
      ]);
      expect(await db.contactEvent.count({ where: { contactId: survivor.contactId, name: 'trial.started' } })).toBe(1);
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses event details that look like an e-mail address or a phone number, naming the field, and records nothing',
    async () => {
      const { caller } = h.callerFor('marketer');
      const { contactId } = await subscriber('details', 'Kunigunde');
      const before = await db.contactEvent.count({ where: { contactId } });
      const email = await rejection(caller.events.emit({ contactId, name: 'trial.started', details: { referrer: 'friend@example.net' } }));
      expect(email.code).toBe('BAD_REQUEST');
      expect(email.cause).toMatchObject({ code: 'EVENT_DETAILS_PERSONAL_DATA', field: 'details.referrer' });
      expect(email.message).toContain('e-mail address');
      const phone = await rejection(caller.events.emit({ contactId, name: 'trial.started', details: { callback: '+49 30 1234567' } }));
      expect(phone.cause).toMatchObject({ code: 'EVENT_DETAILS_PERSONAL_DATA', field: 'details.callback' });
      expect(phone.message).toContain('phone number');
      expect(await db.contactEvent.count({ where: { contactId } })).toBe(before);
      expect(await enrollmentsOf(contactId)).toHaveLength(0);
      // Dates and codes are fine.
      expect((await caller.events.emit({ contactId, name: 'pricing.viewed', details: { on: '2026-11-29', plan: 'pro' } })).eventId).toMatch(
        /^\d+$/,
      );
      // Sales may not send events.
      expect((await rejection(h.callerFor('sales').caller.events.emit({ contactId, name: 'pricing.viewed' }))).code).toBe('FORBIDDEN');
    },
    TEST_TIMEOUT,
  );

  it(
    "a segment-entry journey enrols the segment's active members once each, in pages, until it is deactivated",
    async () => {
      const segmentId = randomUUID();
      await db.segment.create({
        data: {
          id: segmentId,
          name: `Segment ${marker}`,
          definition: { version: 1, match: 'all', conditions: [{ type: 'field', field: 'email', op: 'starts_with', value: `seg-` }] },
          createdBy: 'system:test',
        },
      });
      const segmentJourney = await oneStepJourney('Segment hello', { type: 'segment_entry', segmentId });
      const members = [await subscriber('seg-1', 'Anselm'), await subscriber('seg-2', 'Berthold'), await subscriber('seg-3', 'Clothilde')];
      const restricted = await subscriber('seg-4', 'Dagobert');
      await db.contact.update({ where: { id: restricted.contactId }, data: { status: 'restricted' } });
      const deps = { db, temporal: h.temporal, taskQueue: h.env.TEMPORAL_TASK_QUEUE };
      const enrolledIn = async () =>
        db.journeyEnrollment.findMany({ where: { journeyId: segmentJourney }, select: { contactId: true, exitReason: true } });

      // Two members a page: the three members take two pages.
      expect(await activateJourneyTriggers(deps, segmentJourney, { pageSize: 2 })).toBe('segment_trigger_running');
      await expect
        .poll(async () => (await enrolledIn()).filter((e) => e.exitReason === 'completed').length, { timeout: RUN_TIMEOUT })
        .toBe(3);
      for (const m of members) expect((await mailsTo(m.email)).map((x) => x.subject)).toEqual(['Segment hello']);

      // A newcomer enters on the next pass (publishing wakes the trigger); nobody enters twice, the restricted contact never.
      const newcomer = await subscriber('seg-5', 'Edeltraud');
      expect(await activateJourneyTriggers(deps, segmentJourney)).toBe('segment_trigger_running');
      await expect.poll(async () => (await enrolledIn()).length, { timeout: RUN_TIMEOUT }).toBe(4);
      const rows = await enrolledIn();
      expect(new Set(rows.map((r) => r.contactId))).toEqual(new Set([...members, newcomer].map((m) => m.contactId)));
      await expect.poll(async () => (await mailsTo(newcomer.email)).length, { timeout: RUN_TIMEOUT }).toBe(1);

      expect(await deactivateJourneyTriggers(deps, segmentJourney)).toBe('stopped');
      expect(
        await h.temporal.workflow.getHandle<typeof journeySegmentTriggerWorkflow>(journeyTriggerWorkflowId(segmentJourney)).result(),
      ).toMatchObject({
        outcome: 'stopped',
        reason: 'stop_requested',
      });
      expect(await deactivateJourneyTriggers(deps, segmentJourney)).toBe('not_running');
    },
    TEST_TIMEOUT,
  );

  it(
    'a hosted-form subscription, once confirmed (double opt-in), enrols the person in the journeys of that purpose',
    async () => {
      const formJourney = await oneStepJourney('Form hello', { type: 'form_submitted', purposeId: 'newsletter' });
      const email = `form-${marker}@example.org`;
      const subscribed = await h.app.inject({
        method: 'POST',
        url: '/subscribe',
        payload: { email, purposeId: 'newsletter', wordingVersion: '2026-11', language: 'en' },
        remoteAddress: '198.51.100.7',
      });
      expect(subscribed.statusCode).toBe(202);
      const contact = await db.contact.findUniqueOrThrow({ where: { emailNormalized: email }, select: { id: true } });
      // Not before the confirmation: a pending grant enrols nobody.
      expect(await db.journeyEnrollment.count({ where: { contactId: contact.id } })).toBe(0);
      const grant = await db.consentEvent.findFirstOrThrow({
        where: { contactId: contact.id, kind: 'granted' },
        select: { occurredAt: true },
      });
      const token = createConfirmToken(h.env.UNSUBSCRIBE_SECRET, {
        c: contact.id,
        p: 'newsletter',
        ch: 'email',
        g: grant.occurredAt.toISOString(),
        e: new Date(Date.now() + 3_600_000).toISOString(),
      });
      expect((await h.app.inject({ method: 'POST', url: `/confirm/${token}`, remoteAddress: '198.51.100.7' })).statusCode).toBe(200);
      const [enrolment] = await db.journeyEnrollment.findMany({ where: { contactId: contact.id }, select: { journeyId: true } });
      expect(enrolment).toEqual({ journeyId: formJourney });
      await expect.poll(async () => (await mailsTo(email)).some((m) => m.subject === 'Form hello'), { timeout: RUN_TIMEOUT }).toBe(true);
    },
    TEST_TIMEOUT,
  );
});
