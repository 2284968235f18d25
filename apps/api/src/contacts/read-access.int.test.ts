// Need to know at record level (issue 6): who may open which contact, what answers an ID they may
// not see (IDOR), a marketer's logged reason, and the audit entry every read of a contact writes.
import { randomUUID } from 'node:crypto';
import { startMailSink, type MailSink } from '@zweck/mail-sink';
import { createMailSinkClient } from '@zweck/mail-sink/client';
import type { Role } from '@zweck/db';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../test/harness.ts';
import { codeOf, rejection } from '../test/helpers.ts';
import type { SessionUser } from '../trpc/context.ts';

const FOOTER_HTML = `<p>{{imprint}}</p><p><a href="{{privacy_notice_url}}">Privacy</a> <a href="{{preferences_url}}">Preferences</a> <a href="{{unsubscribe_url}}">Unsubscribe</a></p>`;
const FOOTER_TEXT = '{{imprint}}\n{{privacy_notice_url}}\n{{preferences_url}}\n{{unsubscribe_url}}';

/** Personal data of every contact in this file: none of it may appear in an error or an audit entry. */
const PEOPLE = {
  own: { email: 'own.rahel@example.org', firstName: 'Rahel', lastName: 'Eigen' },
  team: { email: 'team.tobias@example.org', firstName: 'Tobias', lastName: 'Teamig' },
  lead: { email: 'lead.lotte@example.org', firstName: 'Lotte', lastName: 'Leadmann' },
  other: { email: 'other.oskar@example.org', firstName: 'Oskar', lastName: 'Fremd' },
  nobody: { email: 'nobody.nina@example.org', firstName: 'Nina', lastName: 'Niemand' },
} as const;
const PERSONAL_STRINGS = Object.values(PEOPLE).flatMap((p) => [p.email, p.firstName, p.lastName]);

describe('record-level access and the read audit', () => {
  let h: Harness;
  /** The demo sales user manages rep `tina`; `otto` is a rep of another manager (`mara`). */
  const users: Record<'tina' | 'mara' | 'otto', SessionUser> = {} as never;
  const ids: Record<keyof typeof PEOPLE, string> = {} as never;
  let leadId: string;

  const as = (role: Role) => h.callerFor(role).caller;
  const asUser = (user: SessionUser) => h.callerFor(user.role, { user }).caller;
  const readsOf = (contactId: string) =>
    h.db.auditEvent.findMany({
      where: { action: 'contact.read', entityId: contactId },
      orderBy: { id: 'asc' },
      select: { actor: true, entityType: true, details: true },
    });

  async function staffUser(name: string, role: Role): Promise<SessionUser> {
    const user = { id: randomUUID(), email: `${name}@zweck.test`, displayName: name, role };
    await h.db.user.create({ data: { ...user, passwordHash: 'not-a-hash: never signs in' } });
    return user;
  }

  beforeAll(async () => {
    h = await createHarness();
    const manager = h.userId('sales');
    users.tina = await staffUser('tina', 'sales');
    users.mara = await staffUser('mara', 'sales');
    users.otto = await staffUser('otto', 'sales');
    await h.db.salesRep.createMany({
      data: [
        { userId: manager },
        { userId: users.tina.id, managerId: manager },
        { userId: users.mara.id },
        { userId: users.otto.id, managerId: users.mara.id },
      ],
    });
    // Entered by the administrator: the marketer did not enter any of them.
    const admin = as('admin');
    for (const key of Object.keys(PEOPLE) as (keyof typeof PEOPLE)[]) ids[key] = (await admin.contacts.create(PEOPLE[key])).id;
    await h.db.contact.update({ where: { id: ids.own }, data: { ownerId: manager } });
    await h.db.contact.update({ where: { id: ids.team }, data: { ownerId: users.tina.id } });
    await h.db.contact.update({ where: { id: ids.other }, data: { ownerId: users.otto.id } });
    // Tina's lead on a contact nobody owns.
    leadId = randomUUID();
    await h.db.lead.create({
      data: {
        id: leadId,
        contactId: ids.lead,
        ownerId: users.tina.id,
        purposeId: 'sales_follow_up',
        channel: 'email',
        trigger: { kind: 'manual' },
        workflowId: `handoff-test-${leadId}`,
        handoffKey: `test-${leadId}`,
        decisionId: randomUUID(),
        dueAt: new Date(Date.now() + 86_400_000),
      },
    });
  });
  afterAll(async () => h?.close());

  describe('sales', () => {
    it('opens the contacts it owns, its team’s and those of its team’s leads, on the named basis', async () => {
      const manager = as('sales');
      expect((await manager.contacts.get({ id: ids.own })).access).toEqual({ basis: 'owner', reason: null, expiresAt: null });
      expect((await manager.contacts.get({ id: ids.team })).access.basis).toBe('team');
      expect((await manager.contacts.get({ id: ids.lead })).access.basis).toBe('team');
      expect((await manager.leads.get({ id: leadId })).contactId).toBe(ids.lead);
      expect((await manager.contacts.list({})).map((c) => c.id).sort()).toEqual([ids.own, ids.team, ids.lead].sort());

      const tina = asUser(users.tina);
      expect((await tina.contacts.get({ id: ids.lead })).access.basis).toBe('owner');
      expect((await tina.contacts.list({})).map((c) => c.id).sort()).toEqual([ids.team, ids.lead].sort());
      // A rep does not see the manager's own contacts.
      expect(await codeOf(tina.contacts.get({ id: ids.own }))).toBe('NOT_FOUND');
    });

    it('gets NOT_FOUND, with nothing of the record, for another team’s contact or lead, another rep’s, and a random ID alike', async () => {
      const otto = asUser(users.otto);
      const random = randomUUID();
      const answers = [];
      for (const call of [
        () => otto.contacts.get({ id: ids.team }),
        () => otto.contacts.get({ id: ids.own }),
        () => otto.contacts.get({ id: random }),
        () => otto.contacts.duplicates({ id: ids.team }),
        () => otto.contacts.update({ id: ids.lead, values: { email: PEOPLE.lead.email, firstName: 'Changed' } }),
        () => as('sales').contacts.get({ id: ids.other }),
        () => asUser(users.tina).contacts.get({ id: ids.other }),
      ]) {
        const error = await rejection(call());
        expect(error.code).toBe('NOT_FOUND');
        answers.push({ code: error.cause.code, message: error.message, field: error.cause.field ?? null });
        for (const text of PERSONAL_STRINGS) expect(JSON.stringify({ message: error.message, cause: error.cause })).not.toContain(text);
      }
      // Another's record and one that does not exist give the very same answer.
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      expect(answers[0]).toEqual({ code: 'CONTACT_NOT_FOUND', message: 'There is no such contact.', field: null });

      // The lead of another team is as absent as a lead that does not exist.
      const lead = await rejection(otto.leads.get({ id: leadId }));
      const none = await rejection(otto.leads.get({ id: random }));
      expect([lead.code, lead.cause.code, lead.message]).toEqual([none.code, none.cause.code, none.message]);
      expect(lead.code).toBe('NOT_FOUND');

      // Nothing was changed and no read was recorded for the refused calls.
      expect((await h.db.contact.findUniqueOrThrow({ where: { id: ids.lead } })).firstName).toBe(PEOPLE.lead.firstName);
      expect((await readsOf(ids.other)).filter((r) => r.actor !== `user:${h.userId('admin')}`)).toEqual([]);
      expect((await readsOf(ids.team)).filter((r) => r.actor === `user:${users.otto.id}`)).toEqual([]);
      // Nothing of the refused calls went into the database.
      expect(await h.db.auditEvent.count({ where: { actor: `user:${users.otto.id}` } })).toBe(0);
    });
  });

  describe('refused attempts', () => {
    it('are logged with who, which ID and the answer, and no personal data', async () => {
      const lines: string[] = [];
      const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
      const otto = h.callerFor('sales', { user: users.otto, log }).caller;
      expect(await codeOf(otto.contacts.get({ id: ids.team }))).toBe('NOT_FOUND');
      expect(await codeOf(h.callerFor('marketer', { log }).caller.contacts.duplicates({ id: ids.lead }))).toBe('PRECONDITION_FAILED');
      const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(logged).toEqual([
        expect.objectContaining({ msg: 'contact access refused', userId: users.otto.id, contactId: ids.team, code: 'CONTACT_NOT_FOUND' }),
        expect.objectContaining({
          msg: 'contact access refused',
          userId: h.userId('marketer'),
          contactId: ids.lead,
          code: 'CONTACT_REASON_REQUIRED',
        }),
      ]);
      for (const text of PERSONAL_STRINGS) expect(lines.join('\n')).not.toContain(text);
    });
  });

  describe('marketers', () => {
    it('list every contact but open one only with a logged reason', async () => {
      const marketer = as('marketer');
      expect((await marketer.contacts.list({})).map((c) => c.id)).toEqual(expect.arrayContaining(Object.values(ids)));

      for (const call of [
        () => marketer.contacts.get({ id: ids.nobody }),
        () => marketer.contacts.duplicates({ id: ids.nobody }),
        () => marketer.contacts.mergePreview({ survivorId: ids.nobody, duplicateId: ids.other }),
        () => marketer.journeyRuntime.listForContact({ contactId: ids.nobody }),
        () => marketer.contacts.update({ id: ids.nobody, values: { email: PEOPLE.nobody.email, firstName: 'Changed' } }),
      ]) {
        const error = await rejection(call());
        expect(error.code).toBe('PRECONDITION_FAILED');
        expect(error.cause.code).toBe('CONTACT_REASON_REQUIRED');
      }
      expect(await readsOf(ids.nobody)).toEqual([]);
      // A contact that does not exist is NOT_FOUND, before any reason.
      expect(await codeOf(marketer.contacts.get({ id: randomUUID() }))).toBe('NOT_FOUND');
      expect(await codeOf(marketer.contacts.open({ id: randomUUID(), reason: 'complaint' }))).toBe('NOT_FOUND');
    });

    it('refuses `other` without a note, naming `note`, and writes nothing', async () => {
      const marketer = as('marketer');
      const before = await h.db.contactAccess.count();
      const error = await rejection(marketer.contacts.open({ id: ids.nobody, reason: 'other' }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toContain('note');
      expect(await rejection(marketer.contacts.open({ id: ids.nobody, reason: 'other', note: '   ' })).then((e) => e.code)).toBe(
        'BAD_REQUEST',
      );
      expect(await h.db.contactAccess.count()).toBe(before);
      expect(await codeOf(marketer.contacts.get({ id: ids.nobody }))).toBe('PRECONDITION_FAILED');
    });

    it('with a reason, open the contact for 8 hours; each read is audited once with the reason, and the note stays out of the log', async () => {
      const marketer = as('marketer');
      const before = Date.now();
      const { expiresAt } = await marketer.contacts.open({
        id: ids.nobody,
        reason: 'other',
        note: 'Checking the Nina Niemand bounce ticket',
      });
      expect(expiresAt.getTime() - before).toBeGreaterThanOrEqual(8 * 3_600_000 - 1_000);
      expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(8 * 3_600_000);
      const grant = await h.db.contactAccess.findFirstOrThrow({ where: { contactId: ids.nobody, userId: h.userId('marketer') } });
      expect(grant).toMatchObject({ reason: 'other', note: 'Checking the Nina Niemand bounce ticket' });

      const detail = await marketer.contacts.get({ id: ids.nobody });
      expect(detail.email).toBe(PEOPLE.nobody.email);
      expect(detail.access).toEqual({ basis: 'reason', reason: 'other', expiresAt: grant.expiresAt });
      await marketer.contacts.duplicates({ id: ids.nobody });

      const reads = await readsOf(ids.nobody);
      expect(reads).toEqual([
        {
          actor: `user:${h.userId('marketer')}`,
          entityType: 'contact',
          details: { view: 'contacts.get', basis: 'reason', reason: 'other', grantId: grant.id },
        },
        {
          actor: `user:${h.userId('marketer')}`,
          entityType: 'contact',
          details: { view: 'contacts.duplicates', basis: 'reason', reason: 'other', grantId: grant.id },
        },
      ]);
      const granted = await h.db.auditEvent.findMany({
        where: { action: 'contact.access_granted', entityId: ids.nobody },
        select: { actor: true, details: true },
      });
      expect(granted).toHaveLength(1);
      expect(granted[0]?.details).toMatchObject({ reason: 'other', grantId: grant.id, hasNote: true });
      expect(JSON.stringify(granted)).not.toContain('bounce ticket');
      expect(JSON.stringify(granted)).not.toContain('Niemand');
    });

    it('must give a reason again once it has expired', async () => {
      const marketer = as('marketer');
      await marketer.contacts.open({ id: ids.other, reason: 'complaint' });
      expect((await marketer.contacts.get({ id: ids.other })).access.reason).toBe('complaint');
      await h.db.contactAccess.updateMany({
        where: { contactId: ids.other, userId: h.userId('marketer') },
        data: { grantedAt: new Date(Date.now() - 9 * 3_600_000), expiresAt: new Date(Date.now() - 3_600_000) },
      });
      expect((await rejection(marketer.contacts.get({ id: ids.other }))).cause.code).toBe('CONTACT_REASON_REQUIRED');
      // A reason is per user: the marketer's grant gives no one else anything (sales still cannot see it).
      await marketer.contacts.open({ id: ids.other, reason: 'campaign_check' });
      expect(await codeOf(as('sales').contacts.get({ id: ids.other }))).toBe('NOT_FOUND');
      expect((await marketer.contacts.get({ id: ids.other })).access.reason).toBe('campaign_check');
    });

    it('open a contact they created themselves in the last 8 hours without a reason', async () => {
      const marketer = as('marketer');
      const { id } = await marketer.contacts.create({ email: 'entered.erik@example.org', firstName: 'Erik' });
      expect((await marketer.contacts.get({ id })).access.basis).toBe('creator');
      // A creation of another user's (or long ago) gives nothing.
      await h.db.contact.update({ where: { id }, data: { createdAt: new Date(Date.now() - 9 * 3_600_000) } });
      expect((await rejection(marketer.contacts.get({ id }))).cause.code).toBe('CONTACT_REASON_REQUIRED');
    });
  });

  describe('the DPO and administrators', () => {
    it('open every contact; their reads are audited with their role as the basis', async () => {
      expect((await as('dpo').contacts.get({ id: ids.team })).access.basis).toBe('dpo');
      expect((await as('admin').contacts.get({ id: ids.team })).access.basis).toBe('admin');
      const reads = (await readsOf(ids.team)).filter(
        (r) => r.actor === `user:${h.userId('dpo')}` || r.actor === `user:${h.userId('admin')}`,
      );
      expect(reads.map((r) => r.details)).toEqual([
        { view: 'contacts.get', basis: 'dpo', reason: null, grantId: null },
        { view: 'contacts.get', basis: 'admin', reason: null, grantId: null },
      ]);
      expect(await codeOf(as('dpo').contacts.get({ id: randomUUID() }))).toBe('NOT_FOUND');
      // Only marketers and administrators record reasons.
      expect(await codeOf(as('dpo').contacts.open({ id: ids.team, reason: 'complaint' }))).toBe('FORBIDDEN');
      expect(await codeOf(as('sales').contacts.open({ id: ids.team, reason: 'complaint' }))).toBe('FORBIDDEN');
    });
  });

  describe('every view of one contact writes exactly one audit entry naming it', () => {
    /** The contact.read entries a call added for `contactId`. */
    async function readsBy(contactId: string, call: () => Promise<unknown>) {
      const before = (await readsOf(contactId)).length;
      await call();
      return (await readsOf(contactId)).slice(before);
    }

    it('contacts, leads, consent receipt, request, subject archive, journeys and template preview', async () => {
      const dpo = as('dpo');
      const admin = as('admin');
      const { id: survivor } = await admin.contacts.create({ email: 'views.vera@example.org', firstName: 'Vera', lastName: 'Viewer' });
      const { id: duplicate } = await admin.contacts.create({ email: 'views.vera2@example.org', firstName: 'Vera', lastName: 'Viewer' });
      const event = await h.db.consentEvent.create({
        data: {
          contactId: survivor,
          purposeId: 'newsletter',
          channel: 'email',
          kind: 'granted',
          occurredAt: new Date('2026-11-01T10:00:00Z'),
          method: 'in_person',
          source: 'fair',
          actor: 'user:test',
        },
        select: { id: true },
      });
      const request = await dpo.requests.create({ type: 'access', contactId: survivor, identityMethod: 'in_person' });
      const template = await as('marketer').templates.create({
        name: `Views ${randomUUID().slice(0, 8)}`,
        kind: 'marketing',
        subject: 'Hello {{first_name}}',
        html: `<p>Hello {{first_name}}</p>${FOOTER_HTML}`,
        text: `Hello {{first_name}}\n${FOOTER_TEXT}`,
      });

      const views: [string, string, () => Promise<unknown>][] = [
        ['contacts.get', survivor, () => dpo.contacts.get({ id: survivor })],
        ['contacts.duplicates', survivor, () => dpo.contacts.duplicates({ id: survivor })],
        ['consents.receipt', survivor, () => dpo.consents.receipt({ eventId: event.id })],
        ['requests.get', survivor, () => dpo.requests.get({ id: request.id })],
        ['subjectArchive.produce', survivor, () => dpo.subjectArchive.produce({ contactId: survivor })],
        ['journeyRuntime.listForContact', survivor, () => dpo.journeyRuntime.listForContact({ contactId: survivor })],
        ['templates.preview', survivor, () => admin.templates.preview({ templateId: template.id, sampleContactId: survivor })],
        ['leads.get', ids.lead, () => admin.leads.get({ id: leadId })],
      ];
      for (const [view, contactId, call] of views) {
        const added = await readsBy(contactId, call);
        expect(added, view).toHaveLength(1);
        expect(added[0]?.details, view).toMatchObject({ view });
      }
      // A merge preview reads both records: one entry for each.
      const before = [(await readsOf(survivor)).length, (await readsOf(duplicate)).length];
      await dpo.contacts.mergePreview({ survivorId: survivor, duplicateId: duplicate });
      const after = [await readsOf(survivor), await readsOf(duplicate)];
      expect(after[0]!.slice(before[0])).toEqual([
        expect.objectContaining({ details: expect.objectContaining({ view: 'contacts.mergePreview' }) as unknown }),
      ]);
      expect(after[1]!.slice(before[1])).toEqual([
        expect.objectContaining({ details: expect.objectContaining({ view: 'contacts.mergePreview' }) as unknown }),
      ]);

      // No audit entry of a read carries personal data: IDs, codes and view names only.
      const all = JSON.stringify(await h.db.auditEvent.findMany({ where: { action: 'contact.read' }, select: { details: true } }));
      for (const text of [...PERSONAL_STRINGS, 'views.vera@example.org', 'Vera', 'Viewer']) expect(all).not.toContain(text);
    });

    it('the outbox view of a message sent to a contact is a read of that contact', async () => {
      const sink: MailSink = await startMailSink({ smtpPort: 0, httpPort: 0 });
      try {
        const messageId = `<${randomUUID()}@zweck.test>`;
        await h.db.message.create({
          data: {
            idempotencyKey: `test-${messageId}`,
            messageId,
            contactId: ids.nobody,
            purposeId: 'newsletter',
            channel: 'email',
            kind: 'welcome',
            status: 'sent',
          },
        });
        const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.smtpPort, secure: false, ignoreTLS: true });
        await transport.sendMail({ from: 'news@zweck.test', to: PEOPLE.nobody.email, subject: 'Hello Nina', text: 'Hello', messageId });
        transport.close();
        const mailSink = createMailSinkClient(`http://127.0.0.1:${sink.httpPort}`);
        const [stored] = await mailSink.list();
        expect(stored?.messageId).toBe(messageId);

        // The marketer's earlier reason for this contact has run out.
        await h.db.contactAccess.updateMany({
          where: { contactId: ids.nobody },
          data: { grantedAt: new Date(Date.now() - 9 * 3_600_000), expiresAt: new Date(Date.now() - 3_600_000) },
        });
        const marketer = h.callerFor('marketer', { mailSink }).caller;
        expect((await rejection(marketer.outbox.get({ id: stored!.id }))).cause.code).toBe('CONTACT_REASON_REQUIRED');
        await marketer.contacts.open({ id: ids.nobody, reason: 'campaign_check' });
        const added = await readsBy(ids.nobody, () => marketer.outbox.get({ id: stored!.id }));
        expect(added).toEqual([
          expect.objectContaining({
            details: expect.objectContaining({ view: 'outbox.get', basis: 'reason', reason: 'campaign_check' }) as unknown,
          }),
        ]);
        expect((await marketer.outbox.get({ id: stored!.id })).contactId).toBe(ids.nobody);
      } finally {
        await sink.stop();
      }
    });
  });
});
