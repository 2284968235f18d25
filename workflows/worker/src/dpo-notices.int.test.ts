import { randomBytes, randomUUID } from 'node:crypto';
import { notifyDpo, type ActivitiesConfig } from '@zweck/activities';
import { createDb, type Db } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { createMailer, type Mailer } from '@zweck/mail';
import { startMailSink, type MailSink } from '@zweck/mail-sink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('notifyDpo: the DPO inbox and its mails (real PostgreSQL and SMTP sink)', () => {
  let database: TestDatabase;
  let sink: MailSink;
  let db: Db;
  let mailer: Mailer;
  let deps: { db: Db; mailer: Mailer; config: ActivitiesConfig };
  const contactId = randomUUID();

  beforeAll(async () => {
    const serverUrl = process.env.ZWECK_PG_SERVER_URL;
    if (!serverUrl) throw new Error('ZWECK_PG_SERVER_URL is not set: run the tests through infra/test.sh');
    [database, sink] = await Promise.all([createTestDatabase(serverUrl, 'dpo-notices'), startMailSink({ smtpPort: 0, httpPort: 0 })]);
    db = createDb(database.url, { maxConnections: 3 });
    await seedCatalogue(db);
    mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${sink.smtpPort}`, from: '"Zweck" <news@zweck.test>' });
    deps = {
      db,
      mailer,
      config: {
        publicUrl: 'https://zweck.test/',
        mailDomain: 'zweck.test',
        unsubscribeSecret: randomBytes(32).toString('hex'),
        suppressionKey: randomBytes(32).toString('hex'),
        sender: { imprint: 'Zweck Test GmbH, Berlin', privacyNoticeUrl: 'https://zweck.test/privacy' },
        controllerName: 'Zweck Test GmbH',
      },
    };
    const users = [
      { email: 'dpo@office.example', role: 'dpo', isActive: true },
      { email: 'former-dpo@office.example', role: 'dpo', isActive: false },
      { email: 'admin@office.example', role: 'admin', isActive: true },
      { email: 'marketer@office.example', role: 'marketer', isActive: true },
    ] as const;
    for (const u of users) {
      await db.user.create({ data: { ...u, displayName: u.email.split('@')[0]!, passwordHash: 'not-used' } });
    }
    await db.contact.create({
      data: {
        id: contactId,
        email: 'erika.canary@person.example',
        emailNormalized: 'erika.canary@person.example',
        firstName: 'Erika',
        lastName: 'Canary',
      },
    });
  });

  afterAll(async () => {
    mailer?.close();
    await db?.$disconnect();
    await Promise.all([sink?.stop(), database?.drop()]);
  });

  const mailsTo = (to: string) => sink.list().filter((m) => m.to === to);

  it('writes one inbox row and mails the active DPOs a link to the subject, nothing about the person', async () => {
    const input = {
      kind: 'art14_due',
      subjectType: 'contact',
      subjectId: contactId,
      dueAt: '2026-12-29T00:00:00.000Z',
      dedupeKey: `art14:${contactId}`,
    } as const;
    const first = await notifyDpo(deps, input);
    expect(first.created).toBe(true);
    const row = await db.dpoNotice.findUniqueOrThrow({ where: { id: first.noticeId } });
    expect(row).toMatchObject({ kind: 'art14_due', subjectType: 'contact', subjectId: contactId, escalated: false, readAt: null });
    expect(row.dueAt?.toISOString()).toBe('2026-12-29T00:00:00.000Z');
    expect(row.mailedAt).not.toBeNull();

    await expect.poll(() => mailsTo('dpo@office.example').length, { timeout: 10_000 }).toBe(1);
    const mail = sink.get(mailsTo('dpo@office.example')[0]!.id);
    expect(mail?.subject).toBe('A notice under Art. 14 GDPR is due');
    expect(mail?.text).toContain(`https://zweck.test/contacts/${contactId}`);
    expect(mail?.html).toContain(`href="https://zweck.test/contacts/${contactId}"`);
    expect(`${mail?.subject} ${mail?.text} ${mail?.html}`).not.toMatch(/Erika|Canary|person\.example/i);
    // Neither the admin (no escalation), nor a marketer, nor an inactive DPO.
    expect(mailsTo('admin@office.example')).toHaveLength(0);
    expect(mailsTo('marketer@office.example')).toHaveLength(0);
    expect(mailsTo('former-dpo@office.example')).toHaveLength(0);
    // The staff-notice decision is on record, with the recipients' IDs only.
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'dpo_notice.mailed', entityId: first.noticeId } });
    expect(audit.details).toMatchObject({ kind: 'art14_due', purposeId: 'staff_notifications', escalated: false });

    // The second call with the same key (a retry, a repeated reminder) writes and mails nothing.
    const second = await notifyDpo(deps, input);
    expect(second).toEqual({ noticeId: first.noticeId, created: false });
    expect(await db.dpoNotice.count({ where: { dedupeKey: input.dedupeKey } })).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsTo('dpo@office.example')).toHaveLength(1);
    expect(await db.auditEvent.count({ where: { action: 'dpo_notice.mailed', entityId: first.noticeId } })).toBe(1);
  });

  it('escalates to the admins as well, and links a review to its page', async () => {
    const reviewId = randomUUID();
    const before = mailsTo('dpo@office.example').length;
    const result = await notifyDpo(deps, {
      kind: 'review_escalated',
      subjectType: 'review',
      subjectId: reviewId,
      dueAt: null,
      dedupeKey: `review:${reviewId}:review_escalated:2026-12-01`,
      escalate: true,
    });
    expect(result.created).toBe(true);
    expect((await db.dpoNotice.findUniqueOrThrow({ where: { id: result.noticeId } })).escalated).toBe(true);
    await expect.poll(() => mailsTo('admin@office.example').length, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => mailsTo('dpo@office.example').length, { timeout: 10_000 }).toBe(before + 1);
    const mail = sink.get(mailsTo('admin@office.example')[0]!.id);
    expect(mail?.subject).toBe('A review is overdue and was escalated');
    expect(mail?.text).toContain(`https://zweck.test/privacy/reviews/${reviewId}`);
    expect(mailsTo('marketer@office.example')).toHaveLength(0);
  });

  it('refuses a malformed notice, naming the field and writing nothing', async () => {
    await expect(
      notifyDpo(deps, { kind: 'nonsense' as never, subjectType: 'review', subjectId: 'x', dueAt: null, dedupeKey: 'bad-kind' }),
    ).rejects.toThrow(/invalid DPO notice: kind/);
    expect(await db.dpoNotice.count({ where: { dedupeKey: 'bad-kind' } })).toBe(0);
  });
});
