import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { messageIdFor } from '@zweck/mail';
import { createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import type { journeyWorkflow } from '@zweck/workflows';
import {
  consentChangedSignal,
  handoffWorkflowId,
  journeyEventSignal,
  journeyPositionQuery,
  journeyStepIdempotencyKey,
  journeyWorkflowId,
} from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeSkippingTestEnv } from './test/env.ts';
import { startWorkflowStack, type WorkflowStack } from './test/stack.ts';
import { workflowsPath } from './worker.ts';

/** The bundler's progress, silenced for the replay check. */
const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const payloadKeys = ZPayloadKeys.parse(`test:${randomBytes(32).toString('base64')}`);

const FOOTER_HTML =
  '<p>{{imprint}} · <a href="{{privacy_notice_url}}">Privacy</a> · <a href="{{preferences_url}}">Preferences</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>';
const FOOTER_TEXT = '{{imprint}}\nPrivacy: {{privacy_notice_url}}\nPreferences: {{preferences_url}}\nUnsubscribe: {{unsubscribe_url}}';

describe('journey workflow: send, wait three days for a click, branch (time-skipping server, real PostgreSQL and SMTP)', () => {
  let env: TestWorkflowEnvironment;
  let stack: WorkflowStack;
  let journeyId: string;
  let versionId: string;
  const templates = { a: randomUUID(), b: randomUUID(), c: randomUUID() };

  beforeAll(async () => {
    // Time skips while a result is awaited through env.client: it must encrypt like the worker.
    env = await createTimeSkippingTestEnv({ dataConverter: createDataConverter(payloadKeys) });
    stack = await startWorkflowStack(env, 'journey', payloadKeys);
    for (const [key, id] of Object.entries(templates)) {
      await stack.db.template.create({
        data: {
          id,
          name: `Nurture ${key.toUpperCase()} ${id.slice(0, 6)}`,
          kind: 'marketing',
          subject: `Nurture ${key.toUpperCase()}`,
          html: `<p>Step ${key.toUpperCase()}: <a href="https://zweck.test/offer">our offer</a></p>${FOOTER_HTML}`,
          text: `Step ${key.toUpperCase()}\n${FOOTER_TEXT}`,
          createdBy: 'system:test',
        },
      });
    }
    const send = (id: string, templateId: string, next: string | null) => ({
      id,
      type: 'send',
      templateId,
      purposeId: 'newsletter',
      channel: 'email',
      track: false,
      next,
    });
    // A published version as the designer stores it; the workflow's activity parses it with the journey schema.
    const definition = {
      version: 1,
      purposeId: 'newsletter',
      trigger: { type: 'event', name: 'trial.started' },
      entryStepId: 'send-a',
      steps: [
        send('send-a', templates.a, 'wait-click'),
        {
          id: 'wait-click',
          type: 'wait_event',
          event: { type: 'interaction', kind: 'clicked' },
          timeout: { days: 3, hours: 0, minutes: 0 },
          onEvent: 'clicked',
          onTimeout: 'clicked',
        },
        // Both ways lead here: the branch asks the segment compiler whether this contact clicked.
        {
          id: 'clicked',
          type: 'branch',
          match: 'all',
          conditions: [{ type: 'interaction', kind: 'clicked', op: 'at_least' }],
          then: 'send-b',
          else: 'send-c',
        },
        send('send-b', templates.b, null),
        send('send-c', templates.c, null),
      ],
      exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
      allowReentry: false,
    };
    journeyId = randomUUID();
    versionId = randomUUID();
    await stack.db.journey.create({
      data: {
        id: journeyId,
        name: `Trial nurture ${journeyId.slice(0, 6)}`,
        status: 'active',
        draft: definition,
        createdBy: 'system:test',
      },
    });
    await stack.db.journeyVersion.create({
      data: { id: versionId, journeyId, number: 1, definition, definitionHash: 'test', publishedBy: 'system:test' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await env?.teardown();
  });

  /** A subscriber with a confirmed newsletter consent, enrolled in the journey (as the API enrols). */
  async function enrolled(label: string): Promise<{ contactId: string; enrollmentId: string; email: string }> {
    const contactId = randomUUID();
    const enrollmentId = randomUUID();
    const email = `${label}-${contactId.slice(0, 8)}@example.org`;
    await stack.db.contact.create({ data: { id: contactId, email, emailNormalized: email } });
    const base = { contactId, purposeId: 'newsletter', channel: 'email', source: 'test', actor: 'contact' } as const;
    await stack.db.consentEvent.createMany({
      data: [
        { ...base, kind: 'granted', method: 'web_form', occurredAt: new Date('2026-11-01T10:00:00Z') },
        { ...base, kind: 'confirmed', method: 'double_opt_in', occurredAt: new Date('2026-11-01T10:05:00Z') },
      ],
    });
    await stack.db.journeyEnrollment.create({
      data: { id: enrollmentId, journeyId, journeyVersionId: versionId, contactId, workflowId: journeyWorkflowId(journeyId, contactId) },
    });
    return { contactId, enrollmentId, email };
  }

  const start = (contactId: string, enrollmentId: string) =>
    env.client.workflow.start<typeof journeyWorkflow>('journeyWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: journeyWorkflowId(journeyId, contactId),
      args: [{ version: 1, enrollmentId, journeyVersionId: versionId, contactId }],
    });

  const subjectsTo = (email: string) =>
    stack.sink
      .list()
      .filter((m) => m.to === email)
      .map((m) => m.subject)
      .sort();

  // First in the file on purpose: run after the others, this test hangs in its final wait (seen in
  // CI and locally; alone or first it passes in about a second). The cause, probably the other
  // tests' workflows still running timers on the shared time-skipping server, is not found yet.
  it('a journey that loops goes on in a fresh history (continue-as-new) at the step it was about to take', async () => {
    const loopJourney = randomUUID();
    const loopVersion = randomUUID();
    // Wait up to a minute for the booking, and wait again: fifteen rounds in fifteen minutes.
    const definition = {
      version: 1,
      purposeId: 'newsletter',
      trigger: { type: 'event', name: 'trial.started' },
      entryStepId: 'loop',
      steps: [
        {
          id: 'loop',
          type: 'wait_event',
          event: { type: 'event', name: 'demo.booked' },
          timeout: { days: 0, hours: 0, minutes: 1 },
          onEvent: 'send-b',
          onTimeout: 'loop',
        },
        { id: 'send-b', type: 'send', templateId: templates.b, purposeId: 'newsletter', channel: 'email', track: false, next: null },
      ],
      exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
      allowReentry: false,
    };
    await stack.db.journey.create({
      data: { id: loopJourney, name: `Loop ${loopJourney.slice(0, 6)}`, status: 'active', draft: definition, createdBy: 'system:test' },
    });
    await stack.db.journeyVersion.create({
      data: { id: loopVersion, journeyId: loopJourney, number: 1, definition, definitionHash: 'test', publishedBy: 'system:test' },
    });
    const { contactId, email } = await enrolled('loops');
    const enrollmentId = randomUUID();
    await stack.db.journeyEnrollment.create({
      data: {
        id: enrollmentId,
        journeyId: loopJourney,
        journeyVersionId: loopVersion,
        contactId,
        workflowId: journeyWorkflowId(loopJourney, contactId),
      },
    });
    const first = await env.client.workflow.start<typeof journeyWorkflow>('journeyWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: journeyWorkflowId(loopJourney, contactId),
      // The lowest limit keeps the test short: fifteen rounds (each a step, an exit check and a timer) make more than one run.
      args: [{ version: 1, enrollmentId, journeyVersionId: loopVersion, contactId, historyLimit: 100 }],
    });
    // Minute by minute: one long skip is one long call, and the test server answers a long call's
    // keep-alive pings with "too many pings" and drops it (seen in CI under load).
    for (let minute = 0; minute < 15; minute++) await env.sleep('1 minute');
    const latest = env.client.workflow.getHandle<typeof journeyWorkflow>(journeyWorkflowId(loopJourney, contactId));
    const described = await latest.describe();
    expect(described.runId).not.toBe(first.firstExecutionRunId);
    expect(described.historyLength).toBeLessThan(200);
    // The booking happens while a round waits: at the moment that round's wait began (its deadline
    // less the one-minute timeout), so that it counts however far the server's clock has moved on.
    await expect
      .poll(
        async () => {
          const position = await latest.query(journeyPositionQuery);
          return position.stepId === 'loop' && position.waitingUntil !== null;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    const { waitingUntil } = await latest.query(journeyPositionQuery);
    await latest.signal(journeyEventSignal, {
      type: 'event',
      name: 'demo.booked',
      eventId: '7',
      occurredAt: new Date(Date.parse(waitingUntil ?? '') - 60_000).toISOString(),
    });
    expect(await latest.result()).toEqual({ outcome: 'exited', reason: 'completed', atStepId: 'send-b' });
    expect(subjectsTo(email)).toEqual(['Nurture B']);
  }, 120_000);

  it('a click during the wait leads to template B', async () => {
    const { contactId, enrollmentId, email } = await enrolled('clicks');
    const handle = await start(contactId, enrollmentId);
    await expect.poll(async () => (await handle.query(journeyPositionQuery)).stepId, { timeout: 30_000 }).toBe('wait-click');
    const waiting = await handle.query(journeyPositionQuery);
    expect(Date.parse(waiting.waitingUntil!) - (await env.currentTimeMs())).toBeGreaterThan(2.9 * 86_400_000);
    expect(await stack.db.journeyEnrollment.findUniqueOrThrow({ where: { id: enrollmentId } })).toMatchObject({
      status: 'active',
      currentStepId: 'wait-click',
    });

    // The click, as the API records it: the interaction row, then the signal with its ID and kind.
    const clickedAt = new Date(await env.currentTimeMs());
    const click = await stack.db.interaction.create({ data: { contactId, kind: 'clicked', occurredAt: clickedAt }, select: { id: true } });
    await handle.signal(journeyEventSignal, {
      type: 'interaction',
      kind: 'clicked',
      interactionId: click.id.toString(),
      occurredAt: clickedAt.toISOString(),
    });

    expect(await handle.result()).toEqual({ outcome: 'exited', reason: 'completed', atStepId: 'send-b' });
    expect(subjectsTo(email)).toEqual(['Nurture A', 'Nurture B']);
    // One message per (enrolment, step), with the Message-ID derived from that key.
    const sentIds = stack.sink
      .list()
      .filter((m) => m.to === email)
      .map((m) => m.messageId);
    expect(new Set(sentIds)).toEqual(
      new Set([
        messageIdFor(journeyStepIdempotencyKey(enrollmentId, 'send-a'), stack.config.mailDomain),
        messageIdFor(journeyStepIdempotencyKey(enrollmentId, 'send-b'), stack.config.mailDomain),
      ]),
    );
    expect(sentIds).toHaveLength(2);
    expect(await stack.db.journeyEnrollment.findUniqueOrThrow({ where: { id: enrollmentId } })).toMatchObject({
      status: 'exited',
      exitReason: 'completed',
      exitStepId: 'send-b',
      currentStepId: null,
    });
    // Both sends were decided twice, by the workflow and by the activity, and recorded.
    const decisions = await stack.db.policyDecision.findMany({ where: { contactId }, select: { decidedBy: true, allowed: true } });
    expect(decisions.filter((d) => d.decidedBy === `workflow:journey:${enrollmentId}`)).toHaveLength(2);
    expect(decisions.filter((d) => d.decidedBy.startsWith(`activity:sendJourneyMail:${enrollmentId}:`))).toHaveLength(2);
    expect(decisions.every((d) => d.allowed)).toBe(true);

    // Determinism guard: the recorded history (signal, timer, branch) replays against the current code.
    await Worker.runReplayHistory(
      { workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: quietLogger }), dataConverter: createDataConverter(payloadKeys) },
      await handle.fetchHistory(),
      'journey-history-check',
    );
  });

  it('no click in three days leads to template C, and three days pass in well under a minute', async () => {
    const { contactId, enrollmentId, email } = await enrolled('silent');
    const began = Date.now();
    const handle = await start(contactId, enrollmentId);
    expect(await handle.result()).toEqual({ outcome: 'exited', reason: 'completed', atStepId: 'send-c' });
    expect(Date.now() - began).toBeLessThan(60_000);
    expect(subjectsTo(email)).toEqual(['Nurture A', 'Nurture C']);
    expect(await stack.db.journeyEnrollment.findUniqueOrThrow({ where: { id: enrollmentId } })).toMatchObject({
      status: 'exited',
      exitReason: 'completed',
      exitStepId: 'send-c',
    });
  });

  it('a click that happened before the wait began does not count', async () => {
    const { contactId, enrollmentId, email } = await enrolled('early');
    const handle = await start(contactId, enrollmentId);
    await expect.poll(async () => (await handle.query(journeyPositionQuery)).stepId, { timeout: 30_000 }).toBe('wait-click');
    await handle.signal(journeyEventSignal, {
      type: 'interaction',
      kind: 'clicked',
      interactionId: '1',
      occurredAt: new Date((await env.currentTimeMs()) - 3_600_000).toISOString(),
    });
    expect(await handle.result()).toEqual({ outcome: 'exited', reason: 'completed', atStepId: 'send-c' });
    expect(subjectsTo(email)).toEqual(['Nurture A', 'Nurture C']);
  });

  it('the exit rules end an enrolment: restriction before the first step, an objection while waiting', async () => {
    const restricted = await enrolled('restricted');
    await stack.db.contact.update({ where: { id: restricted.contactId }, data: { status: 'restricted' } });
    expect(await (await start(restricted.contactId, restricted.enrollmentId)).result()).toEqual({
      outcome: 'exited',
      reason: 'restricted',
      atStepId: 'send-a',
    });
    expect(subjectsTo(restricted.email)).toEqual([]);

    const objects = await enrolled('objects');
    const handle = await start(objects.contactId, objects.enrollmentId);
    await expect.poll(async () => (await handle.query(journeyPositionQuery)).stepId, { timeout: 30_000 }).toBe('wait-click');
    // The preference center records the objection (Art. 21(2)), then tells the running workflows.
    await stack.db.consentEvent.create({
      data: {
        contactId: objects.contactId,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'objected',
        occurredAt: new Date(),
        method: 'preference_center',
        source: 'test',
        actor: 'contact',
      },
    });
    await handle.signal(consentChangedSignal);
    expect(await handle.result()).toEqual({ outcome: 'exited', reason: 'objected', atStepId: 'wait-click' });
    expect(subjectsTo(objects.email)).toEqual(['Nurture A']);
    expect(await stack.db.journeyEnrollment.findUniqueOrThrow({ where: { id: objects.enrollmentId } })).toMatchObject({
      status: 'exited',
      exitReason: 'objected',
      exitStepId: 'wait-click',
    });
  });

  it('a score step that crosses the threshold and a handoff step start the lead handoff, not awaited', async () => {
    const scoringJourney = randomUUID();
    const scoringVersion = randomUUID();
    const definition = {
      version: 1,
      purposeId: 'newsletter',
      trigger: { type: 'event', name: 'demo.requested' },
      entryStepId: 'score',
      steps: [
        { id: 'score', type: 'score', purposeId: 'lead_scoring', points: 60, reason: 'requested a demo', next: 'handoff' },
        { id: 'handoff', type: 'handoff', purposeId: 'sales_follow_up', channel: 'email', next: null },
      ],
      exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
      allowReentry: false,
    };
    await stack.db.journey.create({
      data: {
        id: scoringJourney,
        name: `Demo ${scoringJourney.slice(0, 6)}`,
        status: 'active',
        draft: definition,
        createdBy: 'system:test',
      },
    });
    await stack.db.journeyVersion.create({
      data: { id: scoringVersion, journeyId: scoringJourney, number: 1, definition, definitionHash: 'test', publishedBy: 'system:test' },
    });
    const contactId = randomUUID();
    const enrollmentId = randomUUID();
    const email = `demo-${contactId.slice(0, 8)}@example.org`;
    await stack.db.contact.create({ data: { id: contactId, email, emailNormalized: email } });
    // Scoring is profiling: only with consent to it.
    await stack.db.consentEvent.create({
      data: {
        contactId,
        purposeId: 'lead_scoring',
        channel: 'email',
        kind: 'granted',
        method: 'web_form',
        occurredAt: new Date('2026-11-01T10:00:00Z'),
        source: 'test',
        actor: 'contact',
      },
    });
    await stack.db.journeyEnrollment.create({
      data: {
        id: enrollmentId,
        journeyId: scoringJourney,
        journeyVersionId: scoringVersion,
        contactId,
        workflowId: journeyWorkflowId(scoringJourney, contactId),
      },
    });

    const handle = await env.client.workflow.start<typeof journeyWorkflow>('journeyWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: journeyWorkflowId(scoringJourney, contactId),
      args: [{ version: 1, enrollmentId, journeyVersionId: scoringVersion, contactId }],
    });
    // The journey finishes without waiting for the handoff, which runs on as its own workflow.
    expect(await handle.result()).toEqual({ outcome: 'exited', reason: 'completed', atStepId: 'handoff' });
    const scored = await stack.db.scoreEvent.findMany({
      where: { contactId },
      select: { points: true, journeyEnrollmentId: true, journeyStepId: true },
    });
    expect(scored).toEqual([{ points: 60, journeyEnrollmentId: enrollmentId, journeyStepId: 'score' }]);
    const handoff = await env.client.workflow.getHandle(handoffWorkflowId(contactId)).describe();
    expect(handoff.type).toBe('handoffWorkflow');
    expect(handoff.parentExecution?.workflowId).toBe(journeyWorkflowId(scoringJourney, contactId));
    // The handoff step asked the policy (action hand_off, sales follow-up) before starting it, and recorded the answer.
    // So did the score step (action profile, lead scoring), before the activity asked again.
    const asked = await stack.db.policyDecision.findMany({
      where: { contactId, decidedBy: `workflow:journey:${enrollmentId}` },
      select: { action: true, purposeId: true, allowed: true },
      orderBy: { action: 'asc' },
    });
    expect(asked).toEqual([
      { action: 'hand_off', purposeId: 'sales_follow_up', allowed: true },
      { action: 'profile', purposeId: 'lead_scoring', allowed: true },
    ]);

    // Without consent to profiling the workflow's own answer is no: the step is passed over, nothing scored,
    // and the scoring activity is never asked (one profile decision, the workflow's).
    const unconsenting = randomUUID();
    const secondEnrollment = randomUUID();
    const secondEmail = `demo-${unconsenting.slice(0, 8)}@example.org`;
    await stack.db.contact.create({ data: { id: unconsenting, email: secondEmail, emailNormalized: secondEmail } });
    await stack.db.journeyEnrollment.create({
      data: {
        id: secondEnrollment,
        journeyId: scoringJourney,
        journeyVersionId: scoringVersion,
        contactId: unconsenting,
        workflowId: journeyWorkflowId(scoringJourney, unconsenting),
      },
    });
    const second = await env.client.workflow.start<typeof journeyWorkflow>('journeyWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: journeyWorkflowId(scoringJourney, unconsenting),
      args: [{ version: 1, enrollmentId: secondEnrollment, journeyVersionId: scoringVersion, contactId: unconsenting }],
    });
    expect(await second.result()).toEqual({ outcome: 'exited', reason: 'completed', atStepId: 'handoff' });
    expect(await stack.db.scoreEvent.count({ where: { contactId: unconsenting } })).toBe(0);
    const profiled = await stack.db.policyDecision.findMany({
      where: { contactId: unconsenting, action: 'profile' },
      select: { decidedBy: true, allowed: true, reasonCodes: true },
    });
    expect(profiled).toEqual([{ decidedBy: `workflow:journey:${secondEnrollment}`, allowed: false, reasonCodes: ['NO_CONSENT'] }]);
  });

  it('a tracked send step adds the pixel and tracked links only where consent to tracking covers it', async () => {
    const trackedJourney = randomUUID();
    const trackedVersion = randomUUID();
    const definition = {
      version: 1,
      purposeId: 'newsletter',
      trigger: { type: 'event', name: 'trial.started' },
      entryStepId: 'send-a',
      steps: [{ id: 'send-a', type: 'send', templateId: templates.a, purposeId: 'newsletter', channel: 'email', track: true, next: null }],
      exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
      allowReentry: false,
    };
    await stack.db.journey.create({
      data: {
        id: trackedJourney,
        name: `Tracked ${trackedJourney.slice(0, 6)}`,
        status: 'active',
        draft: definition,
        createdBy: 'system:test',
      },
    });
    await stack.db.journeyVersion.create({
      data: { id: trackedVersion, journeyId: trackedJourney, number: 1, definition, definitionHash: 'test', publishedBy: 'system:test' },
    });
    const run = async (label: string, consentsToTracking: boolean) => {
      const { contactId, email } = await enrolled(label);
      if (consentsToTracking) {
        await stack.db.consentEvent.create({
          data: {
            contactId,
            purposeId: 'email_tracking',
            channel: 'email',
            kind: 'granted',
            method: 'web_form',
            occurredAt: new Date('2026-11-01T10:00:00Z'),
            source: 'test',
            actor: 'contact',
          },
        });
      }
      const enrollmentId = randomUUID();
      await stack.db.journeyEnrollment.create({
        data: {
          id: enrollmentId,
          journeyId: trackedJourney,
          journeyVersionId: trackedVersion,
          contactId,
          workflowId: journeyWorkflowId(trackedJourney, contactId),
        },
      });
      const handle = await env.client.workflow.start<typeof journeyWorkflow>('journeyWorkflow', {
        taskQueue: stack.taskQueue,
        workflowId: journeyWorkflowId(trackedJourney, contactId),
        args: [{ version: 1, enrollmentId, journeyVersionId: trackedVersion, contactId }],
      });
      expect(await handle.result()).toMatchObject({ reason: 'completed' });
      const [message] = stack.sink.list().filter((m) => m.to === email);
      return stack.sink.get(message!.id)!.html ?? '';
    };

    const tracked = await run('tracked', true);
    expect(tracked).toContain('https://zweck.test/t/o/');
    expect(tracked).toContain('https://zweck.test/t/c/');
    expect(tracked).not.toContain('href="https://zweck.test/offer"');
    // The way out is never tracked.
    expect(tracked).toContain('href="https://zweck.test/u/');

    const plain = await run('untracked', false);
    expect(plain).not.toContain('/t/o/');
    expect(plain).not.toContain('/t/c/');
    expect(plain).toContain('href="https://zweck.test/offer"');
  });
});
