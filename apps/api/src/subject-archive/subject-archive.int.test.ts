import { createHash, randomUUID } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, SESSION_COOKIE } from '../auth/session.ts';
import type { PortableConsent } from '../import/contacts-format.ts';
import { createHarness, createHttpHarness } from '../test/harness.ts';
import { codeOf, newsletterConsent } from '../test/helpers.ts';
import { ARCHIVE_JSON_NAME, ARCHIVE_README_NAME } from './archive-files.ts';
import { ZZweckExportV1, type ZweckExportV1 } from './archive-format.ts';
import { buildSubjectArchive } from './build-archive.ts';

type HttpHarness = Awaited<ReturnType<typeof createHttpHarness>>;

/** The parts of a ledger entry that are its proof and that an import must carry over unchanged. */
const proofOf = (c: PortableConsent) => ({
  purposeId: c.purposeId,
  channel: c.channel,
  kind: c.kind,
  occurredAt: c.occurredAt,
  method: c.method,
  source: c.source,
  wordingVersion: c.wordingVersion,
  wordingLanguage: c.wordingLanguage,
  wordingHash: c.wordingHash,
  expiresAt: c.expiresAt,
});

describe('the access and portability archive', () => {
  let h: HttpHarness;
  let lena: string;
  let otto: string;

  beforeAll(async () => {
    h = await createHttpHarness();
    const marketer = h.callerFor('marketer').caller;
    lena = (
      await marketer.contacts.create({
        email: 'lena.lindqvist@example.org',
        firstName: 'Lena',
        lastName: 'Lindqvist',
        organization: 'Lindqvist Design',
        attributes: { city: 'Berlin', job_title: 'Art director' },
        consent: newsletterConsent({ grantedAt: '2026-10-01T09:00:00.000Z', source: 'Design fair Leipzig, stand 4' }),
      })
    ).id;
    // The phone comes from an administrator: marketers may not enter it (field-level need-to-know).
    await h.callerFor('admin').caller.contacts.update({
      id: lena,
      values: {
        email: 'lena.lindqvist@example.org',
        firstName: 'Lena',
        lastName: 'Lindqvist',
        phone: '+49 30 5550101',
        organization: 'Lindqvist Design',
        attributes: { city: 'Berlin', job_title: 'Art director' },
      },
    });
    otto = (
      await marketer.contacts.create({
        email: 'otto.oberholzer@example.org',
        firstName: 'Otto',
        lastName: 'Oberholzer',
        consent: newsletterConsent({ grantedAt: '2026-10-02T09:00:00.000Z', source: 'Otto’s own fair' }),
      })
    ).id;
    // The confirmation and a later withdrawal, each with its technical evidence.
    await h.db.consentEvent.createMany({
      data: [
        {
          contactId: lena,
          purposeId: 'newsletter',
          channel: 'email',
          kind: 'confirmed',
          occurredAt: new Date('2026-10-01T09:20:00.000Z'),
          method: 'double_opt_in',
          source: 'confirmation-link',
          actor: 'contact',
          evidence: { ip: '203.0.113.0', tokenSha256: 'c0ffee' },
        },
        {
          contactId: lena,
          purposeId: 'email_tracking',
          channel: 'email',
          kind: 'withdrawn',
          occurredAt: new Date('2026-11-10T12:00:00.000Z'),
          method: 'preference_center',
          source: 'preference-center',
          actor: 'contact',
          evidence: { ip: '198.51.100.0' },
        },
      ],
    });
    await h.db.provenance.create({
      data: {
        contactId: lena,
        field: null,
        source: 'event_partner',
        reference: 'Partner list, design fair 2026',
        legalBasis: 'legitimate_interest',
        actor: `user:${h.userId('marketer')}`,
        recordedAt: new Date('2026-10-03T08:00:00.000Z'),
      },
    });
    await h.db.interaction.createMany({
      data: [
        { contactId: lena, kind: 'opened', occurredAt: new Date('2026-11-02T08:00:00.000Z'), details: { messageRef: 'm-1' } },
        { contactId: otto, kind: 'clicked', occurredAt: new Date('2026-11-02T08:00:00.000Z'), details: {} },
      ],
    });
    await h.db.contactEvent.create({
      data: { contactId: lena, name: 'webinar.registered', occurredAt: new Date('2026-11-05T10:00:00.000Z'), details: { webinar: 'w-7' } },
    });
    await h.db.message.create({
      data: {
        idempotencyKey: `welcome:newsletter:${lena}`,
        messageId: `<welcome-${lena}@zweck.test>`,
        contactId: lena,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'welcome',
        status: 'sent',
        smtpResponse: '250 OK queued for lena.lindqvist@example.org',
        sentAt: new Date('2026-10-01T09:21:00.000Z'),
      },
    });
    await h.db.lead.create({
      data: {
        id: randomUUID(),
        contactId: lena,
        ownerId: h.userId('sales'),
        status: 'recycled',
        purposeId: 'sales_follow_up',
        channel: 'email',
        trigger: { kind: 'manual' },
        workflowId: `handoff:${lena}`,
        handoffKey: `handoff:${lena}:1`,
        decisionId: randomUUID(),
        dueAt: new Date('2026-11-06T10:00:00.000Z'),
        recycledAt: new Date('2026-11-06T09:00:00.000Z'),
        recycleReason: 'Budget next year',
        settledBy: h.userId('sales'),
      },
    });
  });
  afterAll(async () => h?.close());

  it('holds every section, the consents with their proof, and nobody else’s data', async () => {
    const archive = await buildSubjectArchive(h.db, h.env.FIELD_ENCRYPTION_KEYS, lena, {
      controller: { name: 'Zweck Demo GmbH', privacyNoticeUrl: 'https://zweck.test/privacy' },
      now: new Date('2026-11-29T12:00:00.000Z'),
    });
    // The JSON is what the schema says, and a contacts document of version 1.
    expect(ZZweckExportV1.safeParse(archive.json).success).toBe(true);
    const [person] = archive.json.contacts;
    expect(person.values).toEqual({
      email: 'lena.lindqvist@example.org',
      first_name: 'Lena',
      last_name: 'Lindqvist',
      phone: '+49 30 5550101',
      organization: 'Lindqvist Design',
      city: 'Berlin',
      job_title: 'Art director',
    });
    expect(person.legalBasis).toBe('legitimate_interest');

    const grant = person.consents.find((c) => c.purposeId === 'newsletter' && c.kind === 'granted');
    const wording = await h.db.consentWording.findUniqueOrThrow({
      where: { purposeId_version_language: { purposeId: 'newsletter', version: '2026-11', language: 'en' } },
    });
    expect(grant).toMatchObject({
      method: 'in_person',
      source: 'Design fair Leipzig, stand 4',
      occurredAt: '2026-10-01T09:00:00.000Z',
      wordingVersion: '2026-11',
      wordingLanguage: 'en',
      wordingHash: wording.textHash,
      wordingText: wording.text,
      recordedBy: 'staff (marketer)',
    });
    expect(person.consents.find((c) => c.kind === 'confirmed')?.evidence).toEqual({ ip: '203.0.113.0', tokenSha256: 'c0ffee' });
    expect(person.provenance).toContainEqual({
      field: null,
      source: 'event_partner',
      reference: 'Partner list, design fair 2026',
      legalBasis: 'legitimate_interest',
      recordedAt: '2026-10-03T08:00:00.000Z',
    });
    const s = person.subject;
    expect(s.interactions).toEqual([
      { kind: 'opened', occurredAt: '2026-11-02T08:00:00.000Z', campaign: null, details: { messageRef: 'm-1' } },
    ]);
    expect(s.events.map((e) => e.name)).toEqual(['webinar.registered']);
    expect(s.messages).toMatchObject([{ kind: 'welcome', subject: 'Welcome mail', status: 'sent', sentAt: '2026-10-01T09:21:00.000Z' }]);
    expect(s.leads).toMatchObject([{ status: 'recycled', owner: 'sales representative', recycleReason: 'Budget next year' }]);
    expect(s.purposes.map((p) => p.id)).toEqual(expect.arrayContaining(['newsletter', 'email_tracking', 'sales_follow_up']));
    expect(s.purposes.find((p) => p.id === 'sales_follow_up')?.balancingTest).toBeTruthy();
    expect(Array.isArray(s.recipients) && Array.isArray(s.retention)).toBe(true);

    // The zip: README, JSON and one CSV per section, and the hash is the zip's.
    const entries = unzipSync(archive.zip);
    expect(createHash('sha256').update(archive.zip).digest('hex')).toBe(archive.sha256);
    expect(Object.keys(entries).sort()).toEqual(
      [ARCHIVE_README_NAME, ARCHIVE_JSON_NAME, ...Object.keys(archive.files).map((n) => `csv/${n}`)].sort(),
    );
    expect(Object.keys(archive.files)).toEqual(
      expect.arrayContaining(['consents.csv', 'provenance.csv', 'interactions.csv', 'recipients.csv']),
    );
    const readme = strFromU8(entries[ARCHIVE_README_NAME]!);
    expect(readme).toContain('consents.csv');
    expect(readme).toContain('subject.interactions');
    const consentsCsv = strFromU8(entries['csv/consents.csv']!);
    expect(consentsCsv.split('\n')[0]).toContain('wordingHash');
    expect(consentsCsv).toContain(wording.textHash);
    // A phone number starts with "+": the CSV shows it as text, never as a spreadsheet formula.
    expect(strFromU8(entries['csv/fields.csv']!)).toContain("'+49 30 5550101");
    expect(JSON.parse(strFromU8(entries[ARCHIVE_JSON_NAME]!))).toEqual(JSON.parse(JSON.stringify(archive.json)));

    // Nobody else: not the other contact, not the staff who handled her data, not the SMTP answer.
    const everything = Object.values(entries)
      .map((bytes) => strFromU8(bytes))
      .join('\n');
    const users = await h.db.user.findMany({ select: { id: true, email: true, displayName: true } });
    for (const needle of [
      'Otto',
      'otto.oberholzer',
      otto,
      'Otto’s own fair',
      '250 OK queued',
      ...users.flatMap((u) => [u.email, u.displayName, u.id]),
    ]) {
      expect(everything, needle).not.toContain(needle);
    }
  });

  it('imports back: the fields, the consents with their proof and the provenance arrive in a clean installation', async () => {
    const archive = await buildSubjectArchive(h.db, h.env.FIELD_ENCRYPTION_KEYS, lena);
    const other = await createHarness();
    try {
      const admin = other.callerFor('admin').caller;
      const file = { format: 'json' as const, content: JSON.stringify(archive.json), source: 'Archive of installation A' };
      const report = await admin.import.dryRun(file);
      expect(report.rows).toEqual([
        { row: 1, outcome: 'create', contactId: null, reasons: [], consents: archive.json.contacts[0].consents.length },
      ]);
      const result = await admin.import.commit({ ...file, mode: 'all_or_nothing', expectedSha256: report.fileSha256 });
      const id = result.rows[0]?.contactId ?? '';
      const back: ZweckExportV1 = (await buildSubjectArchive(other.db, other.env.FIELD_ENCRYPTION_KEYS, id)).json;
      const [mine, theirs] = [archive.json.contacts[0], back.contacts[0]];

      expect(theirs.values).toEqual(mine.values);
      expect(theirs.consents.map(proofOf)).toEqual(mine.consents.map(proofOf));
      // The original evidence travels along beside the import's own.
      theirs.consents.forEach((c, i) => {
        const original = mine.consents[i]?.evidence;
        expect(c.evidence).toEqual({ importBatchId: result.batchId, row: 1, ...(original ? { original } : {}) });
      });
      expect(mine.consents.some((c) => c.evidence !== null)).toBe(true);
      for (const p of mine.provenance) expect(theirs.provenance).toContainEqual(p);
      expect(theirs.legalBasis).toBe(mine.legalBasis);
      // The consent state the ledger folds to is the same.
      expect(theirs.subject.consentState.map(({ purposeId, channel, status }) => ({ purposeId, channel, status }))).toEqual(
        mine.subject.consentState.map(({ purposeId, channel, status }) => ({ purposeId, channel, status })),
      );
      // What the import does not take is said so, and not silently carried.
      expect(theirs.subject.interactions).toEqual([]);
      expect(back.archive.notImported.map((n) => n.section).join(' ')).toContain('subject.interactions');
    } finally {
      await other.close();
    }
  });

  it('is downloaded by the DPO or an admin only, recorded with its hash and audited as an export', async () => {
    const url = `/api/subject-archive/${lena}`;
    expect((await h.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    const sales = await createSession(h.db, h.userId('sales'), 1);
    const refused = await h.app.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: sales.token } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'ROLE_NOT_ALLOWED' });
    expect(await h.db.subjectArchive.count()).toBe(0);

    const dpo = await createSession(h.db, h.userId('dpo'), 1);
    const requestId = randomUUID();
    const response = await h.app.inject({ method: 'GET', url: `${url}?requestId=${requestId}`, cookies: { [SESSION_COOKIE]: dpo.token } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="subject-archive-${lena}-\\d{4}-\\d{2}-\\d{2}\\.zip"$`),
    );
    const sha256 = createHash('sha256').update(response.rawPayload).digest('hex');
    expect(response.headers['x-archive-sha256']).toBe(sha256);
    expect(Object.keys(unzipSync(new Uint8Array(response.rawPayload)))).toContain(ARCHIVE_JSON_NAME);

    const recorded = await h.db.subjectArchive.findMany({ where: { contactId: lena } });
    expect(recorded).toMatchObject([{ sha256, requestId, producedBy: `user:${h.userId('dpo')}`, byteSize: response.rawPayload.length }]);
    const audited = await h.db.auditEvent.findMany({ where: { action: 'subject_archive.export', entityId: lena } });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actor: `user:${h.userId('dpo')}`, entityType: 'contact', details: { sha256, requestId } });
    expect(JSON.stringify(audited[0]?.details)).not.toContain('lena');
    // The download is also one audited read of the contact (need to know), naming the view and the archive.
    const reads = await h.db.auditEvent.findMany({
      where: { action: 'contact.read', entityId: lena },
      select: { actor: true, details: true },
    });
    expect(reads).toEqual([
      {
        actor: `user:${h.userId('dpo')}`,
        details: { view: 'subject-archive.download', basis: 'dpo', reason: null, grantId: null, archiveId: recorded[0]!.id },
      },
    ]);

    expect(
      (await h.app.inject({ method: 'GET', url: `/api/subject-archive/${randomUUID()}`, cookies: { [SESSION_COOKIE]: dpo.token } }))
        .statusCode,
    ).toBe(404);
  });

  it('records a production through tRPC for the request page; sales gets FORBIDDEN', async () => {
    expect(await codeOf(h.callerFor('sales').caller.subjectArchive.produce({ contactId: lena }))).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor('marketer').caller.subjectArchive.list({ contactId: lena }))).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor(null).caller.subjectArchive.list({ contactId: lena }))).toBe('UNAUTHORIZED');
    const admin = h.callerFor('admin').caller;
    const produced = await admin.subjectArchive.produce({ contactId: lena });
    expect(produced.sha256).toMatch(/^[0-9a-f]{64}$/);
    const listed = await admin.subjectArchive.list({ contactId: lena });
    expect(listed[0]).toMatchObject({ id: produced.id, sha256: produced.sha256, producedBy: expect.any(String) as string });
    expect(listed.length).toBeGreaterThanOrEqual(2);
    expect(await codeOf(admin.subjectArchive.produce({ contactId: randomUUID() }))).toBe('NOT_FOUND');
  });
});
