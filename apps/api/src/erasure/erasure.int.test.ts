import { randomUUID } from 'node:crypto';
import { contactPayloadKeyRows, createFieldCipher, sealContactAttributes, type Db } from '@zweck/db';
import { startMailSink, type MailSink } from '@zweck/mail-sink';
import { createMailSinkClient, type MailSinkClient } from '@zweck/mail-sink/client';
import { ContactPayloadKeyDestroyedError, createContactScope, EncryptionCodec, PayloadKeyMissingError } from '@zweck/temporal-codec';
import type { welcomeWorkflow } from '@zweck/workflows';
import { contactScopeOfWorkflowId, journeyWorkflowId, TASK_QUEUE, welcomeWorkflowId } from '@zweck/workflows/contracts';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHarness, type Harness } from '../test/harness.ts';
import { startWorkerProcess, type WorkerProcess } from '../test/worker-process.ts';
import { awaitErasure, startErasure } from './start-erasure.ts';

type Payload = Parameters<EncryptionCodec['decode']>[0][number];

const FOOTER_HTML =
  '<p>{{imprint}} · <a href="{{privacy_notice_url}}">Privacy</a> · <a href="{{preferences_url}}">Preferences</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>';
const FOOTER_TEXT = '{{imprint}}\nPrivacy: {{privacy_notice_url}}\nPreferences: {{preferences_url}}\nUnsubscribe: {{unsubscribe_url}}';
const RUN_TIMEOUT = 60_000;
const TEST_TIMEOUT = 240_000;

/** Every payload in a fetched history, as stored (what a backup or an export of Temporal's database keeps). */
function payloadsOf(node: unknown, out: Payload[] = []): Payload[] {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return out;
  if ('metadata' in node && 'data' in node && (node as Payload).data instanceof Uint8Array) out.push(node as Payload);
  else for (const value of Object.values(node)) payloadsOf(value, out);
  return out;
}
const keyIdOf = (p: Payload): string => Buffer.from(p.metadata?.['encryption-key-id'] ?? []).toString();

describe('erasure across every store: the real worker, PostgreSQL, Temporal and an SMTP sink', () => {
  let h: Harness & { app: FastifyInstance };
  let db: Db;
  let mailSink: MailSink;
  let sink: MailSinkClient;
  let worker: WorkerProcess;
  let journeyId: string;
  const marker = randomUUID().slice(0, 8);

  beforeAll(async () => {
    h = await createHttpHarness();
    db = h.db;
    mailSink = await startMailSink({ smtpPort: 0, httpPort: 0 });
    const sinkUrl = `http://127.0.0.1:${mailSink.httpPort}`;
    sink = createMailSinkClient(sinkUrl);
    worker = await startWorkerProcess(h, `smtp://127.0.0.1:${mailSink.smtpPort}`, { MAIL_SINK_URL: sinkUrl });

    // A journey that mails, then waits a week for an event: its workflow is running when the erasure comes.
    const templateId = randomUUID();
    await db.template.create({
      data: {
        id: templateId,
        name: `Trial ${marker}`,
        kind: 'marketing',
        subject: 'Your trial, {{first_name}}',
        html: `<p>Hello {{first_name}} {{last_name}}.</p>${FOOTER_HTML}`,
        text: `Hello {{first_name}} {{last_name}}.\n${FOOTER_TEXT}`,
        createdBy: 'system:test',
      },
    });
    const definition = {
      version: 1,
      purposeId: 'newsletter',
      trigger: { type: 'event', name: 'trial.started' },
      entryStepId: 'hello',
      steps: [
        { id: 'hello', type: 'send', templateId, purposeId: 'newsletter', channel: 'email', track: false, next: 'wait' },
        {
          id: 'wait',
          type: 'wait_event',
          event: { type: 'event', name: 'webinar.attended' },
          timeout: { days: 7, hours: 0, minutes: 0 },
          onEvent: null,
          onTimeout: null,
        },
      ],
      exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
      allowReentry: false,
    };
    journeyId = randomUUID();
    await db.journey.create({
      data: { id: journeyId, name: `Trial ${marker}`, status: 'active', draft: definition, createdBy: 'system:test' },
    });
    await db.journeyVersion.create({
      data: { id: randomUUID(), journeyId, number: 1, definition, definitionHash: 'test', publishedBy: 'system:test' },
    });
  }, TEST_TIMEOUT);

  afterAll(async () => {
    await worker?.stop();
    await mailSink?.stop();
    await h?.close();
  });

  /** A person with a confirmed newsletter consent (with its technical evidence), a phone, a sealed note, provenance and an API event. */
  async function person(first: string, last: string, phone: string) {
    const contactId = randomUUID();
    const email = `${first}.${last}-${marker}@example.org`.toLowerCase();
    const attributes = sealContactAttributes(
      createFieldCipher(h.env.FIELD_ENCRYPTION_KEYS),
      contactId,
      { notes: `Met ${first} ${last} at the fair`, city: 'Berlin' },
      ['notes'],
    );
    await db.contact.create({
      data: {
        id: contactId,
        email,
        emailNormalized: email,
        firstName: first,
        lastName: last,
        phone,
        phoneE164: phone.replace(/\s/g, ''),
        attributes,
      },
    });
    const base = { contactId, purposeId: 'newsletter', channel: 'email', source: 'web:signup', actor: 'contact' } as const;
    const evidence = { ip: '203.0.113.0', userAgent: `Mozilla/5.0 (${first} ${last})` };
    await db.consentEvent.createMany({
      data: [
        { ...base, kind: 'granted', method: 'web_form', occurredAt: new Date('2026-11-01T10:00:00Z'), evidence },
        { ...base, kind: 'confirmed', method: 'double_opt_in', occurredAt: new Date('2026-11-01T10:05:00Z'), evidence },
      ],
    });
    await db.provenance.create({
      data: { contactId, source: 'web_form', reference: `signup of ${email}`, legalBasis: 'consent', actor: 'contact' },
    });
    return { contactId, email, fullName: `${first} ${last}`, phone };
  }

  /** The welcome mail sent and its workflow completed; then enrolled in the journey, mailed, and waiting. */
  async function withWorkflows(p: { contactId: string; email: string }) {
    const { caller } = h.callerFor('marketer');
    expect((await caller.contacts.startWelcome({ id: p.contactId })).automation).toBe('started');
    const welcome = h.temporal.workflow.getHandle<typeof welcomeWorkflow>(welcomeWorkflowId(p.contactId, 'newsletter'));
    expect((await welcome.result()).outcome).toBe('sent');
    expect((await caller.events.emit({ contactId: p.contactId, name: 'trial.started', details: { plan: 'pro' } })).enrolledIn).toEqual([
      journeyId,
    ]);
    await expect
      .poll(async () => (await db.journeyEnrollment.findFirst({ where: { contactId: p.contactId } }))?.currentStepId, {
        timeout: RUN_TIMEOUT,
      })
      .toBe('wait');
    await expect.poll(async () => (await sink.list()).filter((m) => m.to === p.email).length, { timeout: RUN_TIMEOUT }).toBe(2);
  }

  const storedPayloads = async (workflowId: string): Promise<Payload[]> =>
    payloadsOf(await h.temporal.workflow.getHandle(workflowId).fetchHistory());

  /** A codec as a process that starts now would have it: no cached keys. */
  const freshCodec = () =>
    new EncryptionCodec(
      h.env.TEMPORAL_PAYLOAD_KEYS,
      createContactScope(h.env.TEMPORAL_PAYLOAD_KEYS, contactPayloadKeyRows(db), contactScopeOfWorkflowId),
    );

  it(
    'erase: every store is searched and clean, the histories no longer decrypt while another person’s do, and a re-import is refused',
    async () => {
      const gone = await person('Zebediah', 'Quillfeather', '+49 30 5550199');
      const stays = await person('Ottilie', 'Brennecke', '+49 30 5550142');
      await withWorkflows(gone);
      await withWorkflows(stays);

      // Per-contact workflows are sealed with the contact's own key; what Temporal stores is kept as a backup would keep it.
      const goneIds = [welcomeWorkflowId(gone.contactId, 'newsletter'), journeyWorkflowId(journeyId, gone.contactId)];
      const before = (await Promise.all(goneIds.map(storedPayloads))).flat();
      expect(before.length).toBeGreaterThan(5);
      expect(new Set(before.map(keyIdOf))).toEqual(new Set([`contact:${gone.contactId}`]));
      const othersBefore = await storedPayloads(welcomeWorkflowId(stays.contactId, 'newsletter'));
      expect(new Set(othersBefore.map(keyIdOf))).toEqual(new Set([`contact:${stays.contactId}`]));
      expect((await freshCodec().decode(before)).length).toBe(before.length);

      const requestId = randomUUID();
      const started = await startErasure(
        { db, temporal: h.temporal, taskQueue: h.env.TEMPORAL_TASK_QUEUE },
        { contactId: gone.contactId, mode: 'erase', cause: { kind: 'data_subject_request', requestId }, actor: `user:${h.userId('dpo')}` },
      );
      expect(started).toEqual({ workflowId: `erasure:${gone.contactId}`, status: 'started' });
      const result = await awaitErasure(h.temporal, gone.contactId);

      expect(result!.verification.hits).toEqual([]);
      expect(result!.verification.clean).toBe(true);
      // It searched something real: every table's text columns, the sink's messages, the histories still on the server.
      expect(result!.verification.searched!.database.tables).toBeGreaterThan(30);
      expect(result!.verification.searched!.mailSink!.messages).toBe(2);
      expect(result!.outcome).toMatchObject({
        contactId: gone.contactId,
        mode: 'erase',
        mailLog: { removed: 2 },
        mailSink: { removed: 2 },
        temporal: { terminated: 1, keyDestroyed: true },
      });
      expect(result!.outcome.temporal.deleted).toBeGreaterThanOrEqual(2);
      expect(result!.outcome.database.rowsDeleted).toBeGreaterThan(5);

      // The erasure's own history is readable with the ring (it outlives the key) and names no one.
      const own = await storedPayloads(`erasure:${gone.contactId}`);
      expect(own.map(keyIdOf).every((k) => !k.startsWith('contact:'))).toBe(true);
      const ownText = (await freshCodec().decode(own)).map((p) => Buffer.from(p.data ?? []).toString('utf8')).join('\n');
      expect(ownText).toContain(gone.contactId);
      expect(ownText.toLowerCase()).not.toMatch(/zebediah|quillfeather|5550199/);

      // Crypto-shredding: the histories as they were stored no longer decrypt, with a typed error; another person's do.
      const refused = await freshCodec()
        .decode(before)
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ContactPayloadKeyDestroyedError);
      expect(refused).toBeInstanceOf(PayloadKeyMissingError);
      expect((refused as ContactPayloadKeyDestroyedError).contactId).toBe(gone.contactId);
      expect((refused as Error).message).toMatch(/erased/);
      expect((refused as Error).message.toLowerCase()).not.toMatch(/zebediah|example\.org/);
      const others = await freshCodec().decode(othersBefore);
      expect(others.map((p) => Buffer.from(p.data ?? []).toString('utf8')).join('\n')).toContain(stays.contactId);
      // The API's client had the key cached; the worker's destruction was announced (LISTEN/NOTIFY) and it forgot it
      // within moments, well before the cache's own time limit (30 s).
      await expect
        .poll(
          async () =>
            h.codec.decode(before.slice(0, 1)).then(
              () => 'still readable',
              (e: unknown) => (e as Error).name,
            ),
          { timeout: 5_000 },
        )
        .toBe('ContactPayloadKeyDestroyedError');

      // Nothing of the person is left in the database, the tombstone stays, the other person is untouched.
      const tombstone = await db.contact.findUniqueOrThrow({ where: { id: gone.contactId } });
      expect(tombstone).toMatchObject({ status: 'erased', firstName: null, lastName: null, phone: null, attributes: {} });
      expect(tombstone.email).not.toContain('example.org');
      expect(await db.consentEvent.count({ where: { contactId: gone.contactId } })).toBe(0);
      expect(await db.message.count({ where: { contactId: gone.contactId } })).toBe(0);
      expect(await db.consentEvent.count({ where: { contactId: stays.contactId } })).toBe(2);
      expect((await sink.list()).filter((m) => m.to === stays.email)).toHaveLength(2);
      expect(await db.contactPayloadKey.findUniqueOrThrow({ where: { contactId: gone.contactId } })).toMatchObject({ wrappedKey: null });
      expect(await db.erasureCapture.count({ where: { contactId: gone.contactId } })).toBe(0);
      const audits = await db.auditEvent.findMany({ where: { entityId: gone.contactId, action: 'contact.erased' } });
      expect(audits).toHaveLength(1);
      expect(JSON.stringify(audits[0]!.details).toLowerCase()).not.toMatch(/zebediah|quillfeather|example\.org|5550199/);

      // No new workflow can be started for the erased person: the codec refuses to seal for them.
      await expect(
        h.temporal.workflow.start<typeof welcomeWorkflow>('welcomeWorkflow', {
          taskQueue: h.env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE,
          workflowId: welcomeWorkflowId(gone.contactId, 'newsletter'),
          args: [{ version: 1, contactId: gone.contactId, purposeId: 'newsletter', channel: 'email' }],
        }),
      ).rejects.toBeInstanceOf(ContactPayloadKeyDestroyedError);

      // The address is refused on re-import (the keyed hash on the suppression list), in any case.
      const report = await h.callerFor('marketer').caller.import.dryRun({
        format: 'csv',
        content: `email,first_name\n${gone.email.toUpperCase()},Zebediah\n`,
        source: 'Re-import test',
      });
      expect(report.rows[0]!.reasons.map((r) => r.code)).toContain('SUPPRESSED');
    },
    TEST_TIMEOUT,
  );

  it(
    'anonymize: campaign outcomes and interaction counts stay the same, nothing identifying is left, and the verifier finds a stray copy and verifies again on a retry',
    async () => {
      const anon = await person('Wendelin', 'Pfefferkorn', '+49 30 5550777');
      // A finished campaign that reached the person and another, with opens and clicks of both.
      const segmentId = randomUUID();
      const templateId = randomUUID();
      const campaignId = randomUUID();
      await db.segment.create({
        data: { id: segmentId, name: `All ${marker}`, definition: { version: 1, conditions: [] }, createdBy: 'system:test' },
      });
      await db.template.create({
        data: {
          id: templateId,
          name: `News ${marker}`,
          kind: 'marketing',
          subject: 'News',
          html: `<p>News</p>${FOOTER_HTML}`,
          text: `News\n${FOOTER_TEXT}`,
          createdBy: 'system:test',
        },
      });
      await db.campaign.create({
        data: {
          id: campaignId,
          name: `News ${marker}`,
          segmentId,
          templateId,
          purposeId: 'newsletter',
          channel: 'email',
          status: 'completed',
          createdBy: 'system:test',
        },
      });
      const other = await person('Hedwig', 'Sauerbier', '+49 30 5550888');
      for (const c of [anon, other]) {
        await db.message.create({
          data: {
            idempotencyKey: `campaign:${campaignId}:${c.contactId}`,
            messageId: `<${randomUUID()}@zweck.test>`,
            contactId: c.contactId,
            purposeId: 'newsletter',
            channel: 'email',
            kind: 'campaign',
            status: 'sent',
            smtpResponse: `250 2.0.0 accepted for <${c.email}>`,
            sentAt: new Date(),
          },
        });
        await db.campaignRecipient.create({
          data: {
            campaignId,
            contactId: c.contactId,
            outcome: 'sent',
            smtpResponse: `250 accepted for <${c.email}>`,
            decidedAt: new Date(),
            sentAt: new Date(),
          },
        });
        await db.interaction.createMany({
          data: [
            { contactId: c.contactId, kind: 'opened', occurredAt: new Date(), campaignId, details: { userAgent: `Mail (${c.fullName})` } },
            {
              contactId: c.contactId,
              kind: 'clicked',
              occurredAt: new Date(),
              campaignId,
              details: { url: `https://shop.test/?u=${c.email}` },
            },
          ],
        });
      }
      // A stray copy of the name where no contact_id leads: a template someone wrote for this person.
      const strayId = randomUUID();
      await db.template.create({
        data: {
          id: strayId,
          name: `For Wendelin Pfefferkorn ${marker}`,
          kind: 'transactional',
          subject: 'x',
          html: '<p>x</p>',
          text: 'x',
          createdBy: 'system:test',
        },
      });

      const stats = async () => ({
        outcomes: await db.campaignRecipient.groupBy({
          by: ['outcome'],
          where: { campaignId },
          _count: { _all: true },
          orderBy: { outcome: 'asc' },
        }),
        interactions: await db.interaction.groupBy({
          by: ['kind'],
          where: { campaignId },
          _count: { _all: true },
          orderBy: { kind: 'asc' },
        }),
        messages: await db.message.count({ where: { idempotencyKey: { startsWith: `campaign:${campaignId}:` } } }),
        campaignStats: await h.callerFor('marketer').caller.campaigns.get({ id: campaignId }),
      });
      const before = await stats();

      const runId = randomUUID();
      const input = {
        contactId: anon.contactId,
        mode: 'anonymize' as const,
        cause: { kind: 'retention' as const, policyId: randomUUID(), runId },
        actor: 'system:retention',
      };
      await startErasure({ db, temporal: h.temporal, taskQueue: h.env.TEMPORAL_TASK_QUEUE }, input);
      const first = await awaitErasure(h.temporal, anon.contactId);
      // Not done: the verifier names the place (table and column) and how often, never the name itself.
      expect(first!.verification.clean).toBe(false);
      expect(first!.verification.hits).toEqual([{ store: 'database', where: 'template.name', count: 1 }]);
      expect(JSON.stringify(first!.verification).toLowerCase()).not.toMatch(/wendelin|pfefferkorn/);
      expect(first!.outcome.temporal.keyDestroyed).toBe(true);
      // The capture stays while the erasure is not proven, sealed (bytes, not text: the search cannot meet it).
      expect(await db.erasureCapture.count({ where: { contactId: anon.contactId } })).toBe(1);

      // The DPO removes the stray copy; the erasure runs again, and the retry still knows what to look for.
      await db.template.delete({ where: { id: strayId } });
      await startErasure({ db, temporal: h.temporal, taskQueue: h.env.TEMPORAL_TASK_QUEUE }, input);
      const second = await awaitErasure(h.temporal, anon.contactId);
      expect(second!.verification).toMatchObject({ clean: true, hits: [] });
      expect(await db.erasureCapture.count({ where: { contactId: anon.contactId } })).toBe(0);
      // The sealed note goes with the rest of the record's values (the verifier cannot find ciphertext by the name).
      expect((await db.contact.findUniqueOrThrow({ where: { id: anon.contactId }, select: { attributes: true } })).attributes).toEqual({});

      // Statistics unchanged: the same outcomes, interactions and messages, still linked to the tombstone.
      expect(await stats()).toEqual(before);
      expect(await db.interaction.count({ where: { contactId: anon.contactId } })).toBe(2);
      expect(await db.campaignRecipient.count({ where: { contactId: anon.contactId } })).toBe(1);
      // Nothing identifying left of the anonymized person; the other recipient keeps everything.
      const rows = JSON.stringify(
        await Promise.all([
          db.contact.findUnique({ where: { id: anon.contactId } }),
          db.interaction.findMany({ where: { contactId: anon.contactId } }),
          db.message.findMany({ where: { contactId: anon.contactId } }),
          db.campaignRecipient.findMany({ where: { contactId: anon.contactId } }),
          db.consentEvent.findMany({ where: { contactId: anon.contactId } }),
          db.provenance.findMany({ where: { contactId: anon.contactId } }),
        ]),
        (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
      ).toLowerCase();
      expect(rows).not.toMatch(/wendelin|pfefferkorn|5550777/);
      expect(await db.interaction.findFirst({ where: { contactId: other.contactId, kind: 'clicked' } })).toMatchObject({
        details: { url: `https://shop.test/?u=${other.email}` },
      });
      // A retention anonymization is not the person's own request: no suppression entry (interfaces: anonymize).
      const report = await h
        .callerFor('marketer')
        .caller.import.dryRun({ format: 'csv', content: `email\n${anon.email}\n`, source: 'Re-import test' });
      expect(report.rows[0]!.reasons.map((r) => r.code)).not.toContain('SUPPRESSED');
    },
    TEST_TIMEOUT,
  );
});
