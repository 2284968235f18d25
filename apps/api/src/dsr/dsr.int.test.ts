import { randomUUID } from 'node:crypto';
import type { Db } from '@zweck/db';
import type { contactErasureWorkflow, dataSubjectRequestWorkflow, journeyWorkflow } from '@zweck/workflows';
import {
  dsrWorkflowId,
  erasureWorkflowId,
  journeyWorkflowId,
  type ContactErasureResult,
  type DsrWorkflowOutcome,
  type JourneyOutcome,
} from '@zweck/workflows/contracts';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHarness, type Harness } from '../test/harness.ts';
import { rejection } from '../test/helpers.ts';
import { startMailSink, type MailSink } from '@zweck/mail-sink';
import { createMailSinkClient, type MailSinkClient, type StoredMessageSummary } from '@zweck/mail-sink/client';
import { simpleParser, type ParsedMail } from 'mailparser';
import { startWorkerProcess, type WorkerProcess } from '../test/worker-process.ts';

/** A real run on a loaded machine: give the worker time, but not forever. */
const RUN_TIMEOUT = 60_000;
const TEST_TIMEOUT = 180_000;

describe('data-subject requests: intake, verification, deadlines, restriction and Art. 19 notices (real worker, SMTP sink, Temporal)', () => {
  let h: Harness & { app: FastifyInstance };
  let db: Db;
  let mailSink: MailSink;
  /** The SMTP sink and the product's worker process sending into it (with the sink's API, which the erasure clears). */
  let sender: {
    sink: MailSinkClient;
    worker: WorkerProcess;
    parsedMails(which: (message: StoredMessageSummary) => boolean): Promise<ParsedMail[]>;
  };
  const marker = randomUUID().slice(0, 8);

  beforeAll(async () => {
    h = await createHttpHarness();
    db = h.db;
    mailSink = await startMailSink({ smtpPort: 0, httpPort: 0 });
    const sinkUrl = `http://127.0.0.1:${mailSink.httpPort}`;
    const sink = createMailSinkClient(sinkUrl);
    const worker = await startWorkerProcess(h, `smtp://127.0.0.1:${mailSink.smtpPort}`, { MAIL_SINK_URL: sinkUrl });
    sender = {
      sink,
      worker,
      async parsedMails(which) {
        const mine = (await sink.list()).filter(which);
        return Promise.all(mine.map(async (m) => simpleParser(await (await fetch(`${sinkUrl}/api/messages/${m.id}/raw`)).text())));
      },
    };
  }, TEST_TIMEOUT);
  afterAll(async () => {
    await sender?.worker.stop();
    await mailSink?.stop();
    await h?.close();
  });

  /** A subscriber with a confirmed newsletter consent. */
  async function subscriber(local: string, firstName = 'Rosalind'): Promise<{ contactId: string; email: string }> {
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

  const submit = (fields: Record<string, string>, ip = '198.51.100.20') =>
    h.app.inject({
      method: 'POST',
      url: '/privacy-request',
      remoteAddress: ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });

  /** The verification link of the one verification mail the sink holds for an address. */
  async function verificationToken(email: string): Promise<string> {
    await expect
      .poll(
        async () =>
          (await sender.sink.list()).filter((m) => m.to.toLowerCase() === email && m.subject === 'Please confirm your privacy request')
            .length,
        {
          timeout: RUN_TIMEOUT,
        },
      )
      .toBe(1);
    const [mail] = await sender.parsedMails((m) => m.to.toLowerCase() === email && m.subject === 'Please confirm your privacy request');
    const token = /https:\/\/zweck\.test\/privacy-request\/verify\/(\S+)/.exec(mail!.text ?? '')?.[1];
    expect(token).toBeDefined();
    return token!;
  }

  it(
    'takes a request on the public form, mails a verification link, refuses a forged token, and verifies on the click (matched to the contact)',
    async () => {
      const { contactId, email } = await subscriber('access');
      const page = await h.app.inject({ method: 'GET', url: '/privacy-request' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('name="type"');

      const answered = await submit({ email: email.toUpperCase(), type: 'access' });
      expect(answered.statusCode).toBe(200);
      expect(answered.body).toContain('Check your inbox');
      const row = await db.dataSubjectRequest.findFirstOrThrow({ where: { intake: 'web_form', status: 'awaiting_verification' } });
      expect(row).toMatchObject({ type: 'access', contactId: null });
      // The address is never kept in clear: a keyed hash and a sealed copy only.
      const rawRow = JSON.stringify(await db.$queryRaw`SELECT * FROM data_subject_request WHERE id = ${row.id}::uuid`);
      expect(rawRow.toLowerCase()).not.toContain(email);
      expect(rawRow).not.toContain(email.split('@')[0]!);
      // The due date is one calendar month after receipt (Art. 12(3)).
      const due = new Date(row.receivedAt);
      due.setUTCMonth(due.getUTCMonth() + 1);
      expect(row.dueAt.getTime()).toBeGreaterThanOrEqual(due.getTime() - 4 * 86_400_000);
      expect(row.dueAt.getTime()).toBeLessThanOrEqual(due.getTime());

      const token = await verificationToken(email);
      // A forged token (another signature, or a tampered payload) verifies nothing.
      const [payload, signature] = token.split('.');
      const forgedSignature = `${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
      const forgedPayload = `${Buffer.from(JSON.stringify({ v: 1, r: row.id, e: '2099-01-01T00:00:00.000Z' })).toString('base64url')}.${signature}`;
      for (const forged of [forgedSignature, forgedPayload]) {
        const refused = await h.app.inject({ method: 'POST', url: `/privacy-request/verify/${forged}` });
        expect(refused.statusCode).toBe(400);
        expect(refused.body).toContain('This link is not valid');
      }
      expect((await db.dataSubjectRequest.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('awaiting_verification');

      // The GET only asks; the POST verifies.
      const asked = await h.app.inject({ method: 'GET', url: `/privacy-request/verify/${token}` });
      expect(asked.statusCode).toBe(200);
      expect((await db.dataSubjectRequest.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('awaiting_verification');
      const verified = await h.app.inject({ method: 'POST', url: `/privacy-request/verify/${token}` });
      expect(verified.statusCode).toBe(200);
      expect(verified.body).toContain('your request is confirmed');

      const after = await db.dataSubjectRequest.findUniqueOrThrow({ where: { id: row.id } });
      expect(after).toMatchObject({ status: 'open', contactId });
      expect(after.identityCheck).toMatchObject({ method: 'email_verification', verifiedBy: 'requester' });
      const kinds = (await db.dsrEvent.findMany({ where: { requestId: row.id }, orderBy: { at: 'asc' } })).map((e) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(['received', 'verification_sent', 'verified']));
      // The DPO hears of it once, with a link to the request's page.
      await expect
        .poll(async () => db.dpoNotice.count({ where: { kind: 'dsr_received', subjectId: row.id } }), { timeout: RUN_TIMEOUT })
        .toBe(1);

      // The queue shows it with its countdown.
      const queue = await h.callerFor('dpo').caller.requests.list({ status: 'active' });
      const listed = queue.find((r) => r.id === row.id);
      expect(listed).toMatchObject({ type: 'access', status: 'open', isOverdue: false });
      expect(listed!.daysLeft).toBeGreaterThanOrEqual(27);
      // Nobody's address appears in the workflow's history: it holds the request's ID only.
      const history = JSON.stringify(await h.temporal.workflow.getHandle(dsrWorkflowId(row.id)).fetchHistory());
      expect(history).not.toContain(email);
      // A second click finds it verified.
      expect((await h.app.inject({ method: 'POST', url: `/privacy-request/verify/${token}` })).statusCode).toBe(200);
    },
    TEST_TIMEOUT,
  );

  it(
    'answers an access request from an address nobody has: verified as unmatched, completed with a "no data" mail, and the sealed address dropped',
    async () => {
      const email = `stranger-${marker}@example.org`;
      expect((await submit({ email, type: 'access' }, '198.51.100.21')).statusCode).toBe(200);
      const token = await verificationToken(email);
      expect((await h.app.inject({ method: 'POST', url: `/privacy-request/verify/${token}` })).statusCode).toBe(200);
      const row = await db.dataSubjectRequest.findFirstOrThrow({ where: { intake: 'web_form', status: 'open', contactId: null } });
      const dpo = h.callerFor('dpo').caller;
      const action = await rejection(dpo.requests.restrict({ id: row.id }));
      expect(action.cause.code).toBe('REQUEST_ACTION_NOT_FOR_TYPE');
      await dpo.requests.setStatus({ id: row.id, status: 'completed', note: 'No data held about this address.' });
      await expect
        .poll(async () => (await sender.sink.list()).filter((m) => m.to === email && m.subject.startsWith('Your privacy request')).length, {
          timeout: RUN_TIMEOUT,
        })
        .toBe(1);
      const outcome: DsrWorkflowOutcome = await h.temporal.workflow
        .getHandle<typeof dataSubjectRequestWorkflow>(dsrWorkflowId(row.id))
        .result();
      expect(outcome).toEqual({ outcome: 'closed', status: 'completed', reminders: 0 });
      const closed = await db.dataSubjectRequest.findUniqueOrThrow({ where: { id: row.id } });
      expect(closed).toMatchObject({ status: 'completed', requesterSealed: null });
      expect(closed.closedAt).not.toBeNull();
    },
    TEST_TIMEOUT,
  );

  it('computes the due date one month after receipt and refuses an extension beyond two more months, by field, writing nothing', async () => {
    const { contactId } = await subscriber('deadline');
    const dpo = h.callerFor('dpo').caller;
    const { id } = await dpo.requests.create({
      type: 'access',
      contactId,
      identityMethod: 'known_address',
      receivedAt: '2026-01-31T09:00:00.000Z',
    });
    const created = await dpo.requests.get({ id });
    // date-fns addMonths: the 31st of January has its month's end, the 28th of February.
    expect(created.dueAt).toBe('2026-02-28T09:00:00.000Z');
    expect(created.latestExtension).toBe('2026-04-28T09:00:00.000Z');
    expect(created.identityCheck).toMatchObject({ method: 'known_address', verifiedBy: `user:${h.userId('dpo')}` });

    const tooLong = await rejection(
      dpo.requests.extend({ id, extendedDueAt: '2026-04-29T09:00:00.000Z', reason: 'Many archives to search through.' }),
    );
    expect(tooLong.code).toBe('BAD_REQUEST');
    expect(tooLong.cause).toMatchObject({ code: 'REQUEST_EXTENSION_TOO_LONG', field: 'extendedDueAt' });
    expect(tooLong.message).toContain('at most two months');
    const noReason = await rejection(dpo.requests.extend({ id, extendedDueAt: '2026-04-01T09:00:00.000Z', reason: '' }));
    expect(noReason.code).toBe('BAD_REQUEST');
    expect((await dpo.requests.get({ id })).extendedDueAt).toBeNull();

    await dpo.requests.extend({ id, extendedDueAt: '2026-04-28T09:00:00.000Z', reason: 'Many archives to search through.' });
    const extended = await dpo.requests.get({ id });
    expect(extended).toMatchObject({
      extendedDueAt: '2026-04-28T09:00:00.000Z',
      effectiveDueAt: '2026-04-28T09:00:00.000Z',
      extensionReason: 'Many archives to search through.',
      isExtended: true,
    });
    expect(extended.timeline.find((e) => e.kind === 'extended')?.details).toEqual({
      from: '2026-02-28T09:00:00.000Z',
      to: '2026-04-28T09:00:00.000Z',
    });
    // Who may: the DPO handles, an administrator only reads, marketing sees nothing.
    expect(
      (
        await rejection(
          h.callerFor('admin').caller.requests.extend({ id, extendedDueAt: '2026-04-01T09:00:00.000Z', reason: 'Admin tries it.' }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    expect((await h.callerFor('admin').caller.requests.get({ id })).id).toBe(id);
    expect((await rejection(h.callerFor('marketer').caller.requests.list({}))).code).toBe('FORBIDDEN');
    // Rejecting needs the reason the person is told.
    expect((await rejection(dpo.requests.setStatus({ id, status: 'rejected' }))).cause.code).toBe('REQUEST_CLOSING_NOTE_REQUIRED');
    const audited = await db.auditEvent.findMany({ where: { entityType: 'data_subject_request', entityId: id }, select: { action: true } });
    expect(audited.map((a) => a.action)).toEqual(expect.arrayContaining(['dsr.create', 'dsr.extend']));
  });

  it(
    'restriction takes effect at once: the running journey exits as "restricted", and each recipient gets an Art. 19 notice, recorded',
    async () => {
      const { contactId } = await subscriber('restrict');
      // A processor that receives the newsletter's data, and one that does not.
      const processorId = randomUUID();
      const otherId = randomUUID();
      const base = {
        service: 'Mail delivery',
        contractSignedOn: new Date('2026-01-01'),
        country: 'DE',
        transferMechanism: 'eu_eea',
      } as const;
      await db.processor.createMany({
        data: [
          { id: processorId, name: `Mailer GmbH ${marker}`, noticeEmail: `dpa-${marker}@mailer.example`, ...base },
          { id: otherId, name: `CRM AG ${marker}`, noticeEmail: `dpa-${marker}@crm.example`, ...base },
        ],
      });
      await db.processorPurpose.createMany({
        data: [
          { processorId, purposeId: 'newsletter' },
          { processorId: otherId, purposeId: 'sales_follow_up' },
        ],
      });

      // A journey waiting a week for an event, with the contact enrolled.
      const templateId = randomUUID();
      await db.template.create({
        data: {
          id: templateId,
          name: `Later ${marker}`,
          kind: 'marketing',
          subject: 'Later',
          html: '<p>Later</p><p>{{imprint}} <a href="{{privacy_notice_url}}">Privacy</a> <a href="{{preferences_url}}">Preferences</a> <a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
          text: 'Later\n{{imprint}}\n{{privacy_notice_url}}\n{{preferences_url}}\n{{unsubscribe_url}}',
          createdBy: 'system:test',
        },
      });
      const definition = {
        version: 1,
        purposeId: 'newsletter',
        trigger: { type: 'event', name: `dsr.test.${marker}` },
        entryStepId: 'wait',
        steps: [
          {
            id: 'wait',
            type: 'wait_event',
            event: { type: 'event', name: 'never' },
            timeout: { days: 7, hours: 0, minutes: 0 },
            onEvent: 'send',
            onTimeout: 'send',
          },
          { id: 'send', type: 'send', templateId, purposeId: 'newsletter', channel: 'email', track: false, next: null },
        ],
        exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
        allowReentry: false,
      };
      const journeyId = randomUUID();
      await db.journey.create({
        data: { id: journeyId, name: `DSR journey ${marker}`, status: 'active', draft: definition, createdBy: 'system:test' },
      });
      await db.journeyVersion.create({
        data: { id: randomUUID(), journeyId, number: 1, definition, definitionHash: 'test', publishedBy: 'system:test' },
      });
      await h.callerFor('marketer').caller.journeyRuntime.enroll({ journeyId, contactId });
      await expect
        .poll(async () => (await db.journeyEnrollment.findFirst({ where: { journeyId, contactId } }))?.currentStepId, {
          timeout: RUN_TIMEOUT,
        })
        .toBe('wait');

      const dpo = h.callerFor('dpo').caller;
      const { id } = await dpo.requests.create({ type: 'restriction', contactId, identityMethod: 'in_person' });
      expect(await dpo.requests.restrict({ id })).toEqual({ notices: 1 });
      expect((await db.contact.findUniqueOrThrow({ where: { id: contactId } })).status).toBe('restricted');

      const journey = h.temporal.workflow.getHandle<typeof journeyWorkflow>(journeyWorkflowId(journeyId, contactId));
      const outcome: JourneyOutcome = await journey.result();
      expect(outcome).toEqual({ outcome: 'exited', reason: 'restricted', atStepId: 'wait' });

      // The notice goes to the processor that received the data, and only to it, naming our record's ID.
      await expect
        .poll(async () => (await db.dsrNotice.findFirst({ where: { requestId: id } }))?.status, { timeout: RUN_TIMEOUT })
        .toBe('sent');
      const notices = await db.dsrNotice.findMany({ where: { requestId: id } });
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ processorId, change: 'restriction', status: 'sent' });
      expect(notices[0]!.messageId).toMatch(/^<[0-9a-f]{40}@zweck\.test>$/);
      const [mail] = await sender.parsedMails((m) => m.to === `dpa-${marker}@mailer.example`);
      expect(mail!.subject).toContain('Art. 19 GDPR notice (restriction)');
      expect(mail!.text).toContain(contactId);
      expect(mail!.text).not.toContain('Rosalind');
      expect(mail!.messageId).toBe(notices[0]!.messageId);
      expect((await sender.sink.list()).filter((m) => m.to === `dpa-${marker}@crm.example`)).toHaveLength(0);

      const page = await dpo.requests.get({ id });
      expect(page.status).toBe('in_progress');
      expect(page.notices).toEqual([
        expect.objectContaining({ processorName: `Mailer GmbH ${marker}`, status: 'sent', change: 'restriction' }),
      ]);
      expect(page.timeline.map((e) => e.kind)).toEqual(
        expect.arrayContaining(['received', 'verified', 'action_taken', 'notices_recorded', 'notice_sent']),
      );

      await dpo.requests.setStatus({ id, status: 'completed', note: 'Restricted; the recipient was told.' });
      const closed = await rejection(dpo.requests.restrict({ id }));
      expect(closed.cause.code).toBe('REQUEST_CLOSED');
    },
    TEST_TIMEOUT,
  );
  it('objection: recorded in the ledger at once (objected_at set), once only; an action of another type is refused', async () => {
    const { contactId } = await subscriber('object');
    const dpo = h.callerFor('dpo').caller;
    const { id } = await dpo.requests.create({ type: 'objection', contactId, identityMethod: 'known_address' });
    expect((await rejection(dpo.requests.restrict({ id }))).cause.code).toBe('REQUEST_ACTION_NOT_FOR_TYPE');
    expect(await dpo.requests.object({ id })).toEqual({ recorded: true });
    const objected = await db.consentEvent.findMany({ where: { contactId, kind: 'objected' } });
    expect(objected).toHaveLength(1);
    expect(objected[0]).toMatchObject({ method: 'staff_entry', source: `data_subject_request:${id}`, actor: 'contact' });
    expect((await db.contact.findUniqueOrThrow({ where: { id: contactId } })).objectedAt).not.toBeNull();
    expect(await dpo.requests.object({ id })).toEqual({ recorded: false });
    expect(await db.consentEvent.count({ where: { contactId, kind: 'objected' } })).toBe(1);
    const page = await dpo.requests.get({ id });
    expect(page.contact?.objectedAt).not.toBeNull();
    expect(page.status).toBe('in_progress');
  });

  it(
    'rectification: the values are corrected through the contact write path with their provenance, and the recipient is notified',
    async () => {
      const { contactId, email } = await subscriber('rectify');
      const processorId = randomUUID();
      await db.processor.create({
        data: {
          id: processorId,
          name: `Newsletter tool ${marker}`,
          service: 'Newsletter',
          noticeEmail: `notices-${marker}@tool.example`,
          contractSignedOn: new Date('2026-01-01'),
          country: 'DE',
          transferMechanism: 'eu_eea',
        },
      });
      await db.processorPurpose.create({ data: { processorId, purposeId: 'newsletter' } });
      const dpo = h.callerFor('dpo').caller;
      const { id } = await dpo.requests.create({ type: 'rectification', contactId, identityMethod: 'known_address' });
      const bad = await rejection(dpo.requests.rectify({ id, values: { email: 'not-an-address', lastName: 'Franklin', attributes: {} } }));
      expect(bad.code).toBe('BAD_REQUEST');
      expect((await db.contact.findUniqueOrThrow({ where: { id: contactId } })).lastName).toBeNull();

      const result = await dpo.requests.rectify({ id, values: { email, firstName: 'Rosalind', lastName: 'Franklin', attributes: {} } });
      // One notice per processor of the newsletter (earlier tests registered others for it too).
      expect(result).toEqual({ changed: ['last_name'], notices: await db.processorPurpose.count({ where: { purposeId: 'newsletter' } }) });
      expect((await db.contact.findUniqueOrThrow({ where: { id: contactId } })).lastName).toBe('Franklin');
      const provenance = await db.provenance.findFirstOrThrow({ where: { contactId, field: 'last_name' } });
      expect(provenance).toMatchObject({ source: 'data_subject_request', reference: id, legalBasis: 'legal_obligation' });
      await expect
        .poll(async () => (await db.dsrNotice.findFirst({ where: { requestId: id, processorId } }))?.status, { timeout: RUN_TIMEOUT })
        .toBe('sent');
      const [mail] = await sender.parsedMails((m) => m.to === `notices-${marker}@tool.example`);
      expect(mail!.subject).toContain('(rectification)');
      // The notice names our record's ID, not the corrected value.
      expect(`${mail!.text} ${mail!.html}`).not.toContain('Franklin');
      const timeline = (await dpo.requests.get({ id })).timeline;
      expect(timeline.find((e) => e.kind === 'action_taken')?.details).toMatchObject({ action: 'rectification', fields: ['last_name'] });
    },
    TEST_TIMEOUT,
  );

  it(
    "erasure: cannot be completed before the verifier reports; slice E's workflow erases, its clean report lets the request complete",
    async () => {
      // A name of its own: the verifier searches every store for it, and other tests' contacts are called Rosalind.
      const { contactId, email } = await subscriber('erase', `Ermengarde${marker}`);
      const dpo = h.callerFor('dpo').caller;
      const { id } = await dpo.requests.create({ type: 'erasure', contactId, identityMethod: 'known_address' });
      const early = await rejection(dpo.requests.setStatus({ id, status: 'completed', note: 'Done.' }));
      expect(early.cause.code).toBe('REQUEST_ERASURE_NOT_VERIFIED');

      expect(await dpo.requests.erase({ id, mode: 'erase' })).toMatchObject({ started: 'started' });
      const erasure = h.temporal.workflow.getHandle<typeof contactErasureWorkflow>(erasureWorkflowId(contactId));
      const result: ContactErasureResult = await erasure.result();
      expect(result.verification).toMatchObject({ clean: true, hits: [] });
      const page = await dpo.requests.get({ id });
      expect(page.erasure).toMatchObject({ workflowStatus: 'COMPLETED', clean: true, hits: [] });

      await dpo.requests.setStatus({ id, status: 'completed', note: 'Erased from every store.' });
      const closed = await dpo.requests.get({ id });
      expect(closed.status).toBe('completed');
      expect(closed.timeline.find((e) => e.kind === 'erasure_verified')?.details).toMatchObject({ clean: true });
      // The request keeps no trace of the person's address.
      expect(JSON.stringify(await db.$queryRaw`SELECT * FROM data_subject_request WHERE id = ${id}::uuid`)).not.toContain(email);
    },
    TEST_TIMEOUT,
  );
});
