import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createActivities, type ActivitiesConfig } from '@zweck/activities';
import type { Db } from '@zweck/db';
import { messageIdFor, type Mailer } from '@zweck/mail';
import { verifyConfirmToken, verifyUnsubscribeToken } from '@zweck/mail/unsubscribe-token';
import type { MailSink } from '@zweck/mail-sink';
import { createDataConverter, EncryptionCodec, type KeyRing } from '@zweck/temporal-codec';
import type { welcomeWorkflow } from '@zweck/workflows';
import { consentChangedSignal, welcomeIdempotencyKey, welcomeWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTestEnv } from './test/env.ts';
import { startWorkflowStack, type WorkflowStack } from './test/stack.ts';
import { workflowsPath } from './worker.ts';

describe('welcome workflow against real Temporal, PostgreSQL and SMTP', () => {
  let env: TestWorkflowEnvironment;
  let stack: WorkflowStack;
  let db: Db;
  let sink: MailSink;
  let mailer: Mailer;
  let config: ActivitiesConfig;
  let payloadKeys: KeyRing;
  let taskQueue: string;
  let client: Client;

  beforeAll(async () => {
    env = await createLocalTestEnv();
    stack = await startWorkflowStack(env, 'wf');
    ({ db, sink, mailer, config, payloadKeys, taskQueue } = stack);
    // The client encrypts with the same keys, as the API's does.
    client = new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      dataConverter: createDataConverter(payloadKeys),
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await env?.teardown();
  });

  async function contact(email: string, consent: false | 'in_person' | 'web_form'): Promise<string> {
    const id = randomUUID();
    await db.contact.create({ data: { id, email, emailNormalized: email.toLowerCase(), firstName: 'Quirinus' } });
    if (consent) {
      await db.consentEvent.create({
        data: {
          contactId: id,
          purposeId: 'newsletter',
          channel: 'email',
          kind: 'granted',
          occurredAt: new Date('2026-11-01T10:00:00Z'),
          method: consent,
          source: 'test',
          actor: 'contact',
        },
      });
    }
    return id;
  }

  /** Starts the contact's newsletter welcome workflow as the API does; `run` also awaits its outcome. */
  const start = (contactId: string) =>
    client.workflow.start<typeof welcomeWorkflow>('welcomeWorkflow', {
      taskQueue,
      workflowId: welcomeWorkflowId(contactId, 'newsletter'),
      args: [{ version: 1, contactId, purposeId: 'newsletter', channel: 'email' }],
    });
  const run = async (contactId: string) => (await start(contactId)).result();

  it('with consent: exactly one message, with the unsubscribe headers and a working signed link', async () => {
    const email = 'with-consent@example.org';
    const contactId = await contact(email, 'in_person');
    const result = await run(contactId);
    expect(result.outcome).toBe('sent');

    const received = sink.list().filter((m) => m.to === email);
    expect(received).toHaveLength(1);
    const message = sink.get(received[0]!.id)!;
    const listUnsubscribe = message.headers.filter((h) => h.name === 'List-Unsubscribe');
    expect(listUnsubscribe).toHaveLength(1);
    expect(listUnsubscribe[0]!.value).toMatch(
      /^<https:\/\/zweck\.test\/u\/[\w-]+\.[\w-]+>, <mailto:unsubscribe@zweck\.test\?subject=unsubscribe%20[\w.-]+>$/,
    );
    expect(message.headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });

    const row = await db.message.findUniqueOrThrow({ where: { idempotencyKey: welcomeIdempotencyKey(contactId, 'newsletter') } });
    expect(row.status).toBe('sent');
    expect(message.messageId).toBe(row.messageId);
    const token = /\/u\/([\w.-]+)>/.exec(listUnsubscribe[0]!.value)![1]!;
    expect(verifyUnsubscribeToken(config.unsubscribeSecret, token)).toMatchObject({
      c: contactId,
      p: 'newsletter',
      ch: 'email',
      m: row.id,
    });

    // Asked twice: by the workflow before, by the activity right before sending.
    const decisions = await db.policyDecision.findMany({ where: { contactId }, orderBy: { recordedAt: 'asc' } });
    expect(decisions.map((d) => [d.allowed, d.decidedBy.split(':')[0]])).toEqual([
      [true, 'workflow'],
      [true, 'activity'],
    ]);
    expect(decisions[0]!.legalBasis).toBe('consent');
  });

  it('without consent: no message, and the skip is stored with the reason code', async () => {
    const email = 'no-consent@example.org';
    const contactId = await contact(email, false);
    const result = await run(contactId);
    expect(result).toEqual({ outcome: 'skipped', reasonCodes: ['NO_CONSENT'], decidedBy: 'workflow' });
    expect(sink.list().filter((m) => m.to === email)).toHaveLength(0);
    expect(await db.message.count({ where: { contactId } })).toBe(0);
    const [decision] = await db.policyDecision.findMany({ where: { contactId } });
    expect(decision).toMatchObject({ allowed: false, reasonCodes: ['NO_CONSENT'], action: 'send', purposeId: 'newsletter' });
    expect(decision!.inputDigest).toMatch(/^sha256:/);
  });

  it('keeps the address, and every other personal datum, out of the workflow history; the history replays', async () => {
    const email = 'history-check@example.org';
    const contactId = await contact(email, 'in_person');
    await run(contactId);
    const history = await client.workflow.getHandle(welcomeWorkflowId(contactId, 'newsletter')).fetchHistory();
    const stored = (history.events ?? [])
      .flatMap((e) => [
        e.workflowExecutionStartedEventAttributes?.input,
        e.activityTaskScheduledEventAttributes?.input,
        e.activityTaskCompletedEventAttributes?.result,
        e.workflowExecutionCompletedEventAttributes?.result,
      ])
      .flatMap((p) => p?.payloads ?? []);
    const text = (p: { data?: Uint8Array | null }) => Buffer.from(p.data ?? new Uint8Array()).toString('latin1');
    // At rest, Temporal holds ciphertext only: not even the contact's ID is readable.
    expect(stored.length).toBeGreaterThan(4);
    expect(stored.map(text).join('\n')).not.toContain(contactId);
    // Decrypted, the payloads hold IDs and states, never the address or the name.
    const payloads = (await new EncryptionCodec(payloadKeys).decode(stored)).map(text);
    expect(payloads.join('\n')).toContain(contactId);
    expect(payloads.join('\n')).not.toContain(email);
    expect(payloads.join('\n')).not.toContain('Quirinus'); // the first name

    // Determinism guard: the recorded history replays against the current workflow code.
    await Worker.runReplayHistory(
      { workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: quietLogger }), dataConverter: createDataConverter(payloadKeys) },
      history,
      'history-check',
    );
  });

  it('a web-form grant gets a double opt-in request first; the confirmation leads to the welcome mail', async () => {
    const email = 'double-opt-in@example.org';
    const contactId = await contact(email, 'web_form');
    const handle = await start(contactId);

    const request = await waitFor(() => sink.list().find((m) => m.to === email));
    const full = sink.get(request.id)!;
    expect(full.subject).toBe('Please confirm: Newsletter');
    // Not marketing: no unsubscribe headers, no advertising, one link.
    expect(full.headers.some((h) => h.name === 'List-Unsubscribe')).toBe(false);
    const token = /\/confirm\/([\w.-]+)/.exec(full.text ?? '')![1]!;
    const claims = verifyConfirmToken(config.unsubscribeSecret, token);
    expect(claims).toMatchObject({ c: contactId, p: 'newsletter', ch: 'email', g: '2026-11-01T10:00:00.000Z' });
    expect(Date.parse(claims.e) - Date.now()).toBeGreaterThan(71 * 3_600_000); // the purpose's 72 hours
    const gate = await db.policyDecision.findFirstOrThrow({ where: { contactId, decidedBy: 'activity:sendConsentConfirmation' } });
    expect(gate).toMatchObject({ allowed: true, purposeId: 'consent_confirmation', legalBasis: 'legitimate_interest' });

    // What the API's confirmation endpoint does: the ledger event with its proof, then the signal.
    await db.consentEvent.create({
      data: {
        contactId,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'confirmed',
        occurredAt: new Date(),
        method: 'double_opt_in',
        source: 'test',
        actor: 'contact',
      },
    });
    await handle.signal(consentChangedSignal);
    expect((await handle.result()).outcome).toBe('sent');
    expect(
      sink
        .list()
        .filter((m) => m.to === email)
        .map((m) => m.subject)
        .sort(),
    ).toEqual(['Please confirm: Newsletter', 'Welcome to our Newsletter']);
  });

  it('a withdrawal while the double opt-in waits ends the workflow at once, and no welcome mail goes out', async () => {
    const email = 'changes-mind@example.org';
    const contactId = await contact(email, 'web_form');
    const handle = await start(contactId);
    await waitFor(() => sink.list().find((m) => m.to === email));
    // What the API's unsubscribe or preference center does: the ledger event, then the signal.
    await db.consentEvent.create({
      data: {
        contactId,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'withdrawn',
        occurredAt: new Date(),
        method: 'preference_center',
        source: 'test',
        actor: 'contact',
      },
    });
    await handle.signal(consentChangedSignal);
    expect(await handle.result()).toEqual({ outcome: 'skipped', reasonCodes: ['CONSENT_WITHDRAWN'], decidedBy: 'workflow' });
    expect(
      sink
        .list()
        .filter((m) => m.to === email)
        .map((m) => m.subject),
    ).toEqual(['Please confirm: Newsletter']);
  });

  it('the activity asks again: a withdrawal landing after the workflow decided wins', async () => {
    const email = 'late-withdrawal@example.org';
    const contactId = await contact(email, 'in_person');
    await db.consentEvent.create({
      data: {
        contactId,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'withdrawn',
        occurredAt: new Date(),
        method: 'one_click_unsubscribe',
        source: 'test',
        actor: 'contact',
      },
    });
    const activities = createActivities({ db, mailer, config });
    const outcome = await activities.sendWelcomeMail({
      contactId,
      purposeId: 'newsletter',
      channel: 'email',
      idempotencyKey: welcomeIdempotencyKey(contactId, 'newsletter'),
    });
    expect(outcome).toEqual({ outcome: 'skipped', reasonCodes: ['CONSENT_WITHDRAWN'], decidedBy: 'activity' });
    expect(sink.list().filter((m) => m.to === email)).toHaveLength(0);
  });

  it('a retried send activity never sends twice', async () => {
    const email = 'retried@example.org';
    const contactId = await contact(email, 'in_person');
    const activities = createActivities({ db, mailer, config });
    const input = {
      contactId,
      purposeId: 'newsletter',
      channel: 'email' as const,
      idempotencyKey: welcomeIdempotencyKey(contactId, 'newsletter'),
    };
    const first = await activities.sendWelcomeMail(input);
    const retry = await activities.sendWelcomeMail(input);
    expect(first.outcome).toBe('sent');
    expect(retry).toEqual(first);
    expect(await db.message.count({ where: { contactId } })).toBe(1);
    expect(sink.list().filter((m) => m.to === email)).toHaveLength(1);
  });

  it('after a crash mid-send, the retry sends the in-flight message once more with the same Message-ID', async () => {
    const email = 'crashed@example.org';
    const contactId = await contact(email, 'in_person');
    const idempotencyKey = welcomeIdempotencyKey(contactId, 'newsletter');
    // What a worker killed between "row written" and "SMTP answered" leaves behind.
    const messageId = messageIdFor(idempotencyKey, config.mailDomain);
    await db.message.create({
      data: { idempotencyKey, messageId, contactId, purposeId: 'newsletter', channel: 'email', kind: 'welcome', status: 'sending' },
    });
    const outcome = await createActivities({ db, mailer, config }).sendWelcomeMail({
      contactId,
      purposeId: 'newsletter',
      channel: 'email',
      idempotencyKey,
    });
    expect(outcome.outcome).toBe('sent');
    const received = sink.list().filter((m) => m.to === email);
    expect(received.map((m) => m.messageId)).toEqual([messageId]);
    expect((await db.message.findUniqueOrThrow({ where: { idempotencyKey } })).status).toBe('sent');
  });
});

/** Polls until `find` returns something (a message arriving at the sink), for at most 30 s. */
async function waitFor<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting');
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
