import { randomUUID } from 'node:crypto';
import type { Db } from '@zweck/db';
import { campaignWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { rejection } from '../../test/helpers.ts';
import { startSendingWorker, type SendingWorker } from '../../test/mail-sink.ts';
import type { CampaignOut } from './campaigns.schema.ts';

const FOOTER_HTML =
  '<p>{{imprint}} · <a href="{{privacy_notice_url}}">Privacy</a> · <a href="{{preferences_url}}">Preferences</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>';
const FOOTER_TEXT = '{{imprint}}\nPrivacy: {{privacy_notice_url}}\nPreferences: {{preferences_url}}\nUnsubscribe: {{unsubscribe_url}}';
/** A real run on a loaded machine: give the workflow time, but not forever. */
const RUN_TIMEOUT = 90_000;

type Consent = 'confirmed' | 'withdrawn' | 'none';

describe('campaigns: composed, started and followed through the API, sent by the real worker into a real SMTP sink', () => {
  let h: Harness;
  let db: Db;
  let sender: SendingWorker;
  let templateId: string;
  let transactionalTemplateId: string;
  const marker = randomUUID().slice(0, 8);

  beforeAll(async () => {
    h = await createHarness();
    db = h.db;
    sender = await startSendingWorker(h);
    templateId = randomUUID();
    transactionalTemplateId = randomUUID();
    await db.template.createMany({
      data: [
        {
          id: templateId,
          name: 'November news',
          kind: 'marketing',
          subject: 'November news',
          html: `<p>Hello {{first_name}},</p><p>our news.</p>${FOOTER_HTML}`,
          text: `Hello {{first_name}},\nour news.\n${FOOTER_TEXT}`,
          createdBy: 'system:test',
        },
        {
          id: transactionalTemplateId,
          name: 'Order confirmation',
          kind: 'transactional',
          subject: 'Your order',
          html: `<p>Thank you.</p>${FOOTER_HTML}`,
          text: `Thank you.\n${FOOTER_TEXT}`,
          createdBy: 'system:test',
        },
      ],
    });
  });

  afterAll(async () => {
    await sender?.stop();
    await h?.close();
  });

  /** One contact per consent state, each with the newsletter ledger named; their addresses start with `group-`. */
  async function contacts(group: string, states: readonly Consent[]): Promise<Map<Consent, string>> {
    const made = new Map<Consent, string>();
    for (const consent of states) {
      const id = randomUUID();
      const email = `${group}-${consent}-${marker}@example.org`;
      await db.contact.create({ data: { id, email, emailNormalized: email, firstName: 'Quirin' } });
      made.set(consent, id);
      if (consent === 'none') continue;
      const base = { contactId: id, purposeId: 'newsletter', channel: 'email', source: 'test', actor: 'contact' };
      await db.consentEvent.create({
        data: { ...base, kind: 'granted', method: 'web_form', occurredAt: new Date('2026-01-10T10:00:00Z') },
      });
      await db.consentEvent.create({
        data: { ...base, kind: 'confirmed', method: 'double_opt_in', occurredAt: new Date('2026-01-10T10:05:00Z') },
      });
      if (consent === 'withdrawn') {
        await db.consentEvent.create({
          data: { ...base, kind: 'withdrawn', method: 'one_click_unsubscribe', occurredAt: new Date('2026-01-11T10:00:00Z') },
        });
      }
    }
    return made;
  }

  /** A segment of the group's contacts only, so that the tests of this file stay apart. */
  async function segmentOf(group: string): Promise<string> {
    const id = randomUUID();
    await db.segment.create({
      data: {
        id,
        name: `Group ${group} ${marker}`,
        definition: { version: 1, match: 'all', conditions: [{ type: 'field', field: 'email', op: 'starts_with', value: `${group}-` }] },
        createdBy: 'system:test',
      },
    });
    return id;
  }

  /** Polls campaigns.get until the campaign reaches `status`. */
  async function waitForStatus(campaignId: string, status: CampaignOut['status']): Promise<CampaignOut> {
    const marketer = h.callerFor('marketer').caller;
    const deadline = Date.now() + RUN_TIMEOUT;
    let last: CampaignOut | undefined;
    while (Date.now() < deadline) {
      last = await marketer.campaigns.get({ id: campaignId });
      if (last.status === status) return last;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(
      `campaign still ${last?.status} after ${RUN_TIMEOUT / 1000}s\n--- worker output ---\n${sender.worker.output().slice(-4000)}`,
    );
  }

  it('refuses inputs that cannot work, each at its field, and writes nothing', async () => {
    const segmentId = await segmentOf('refused');
    const marketer = h.callerFor('marketer').caller;
    const valid = { name: 'Refused', segmentId, templateId, purposeId: 'newsletter', channel: 'email' as const };

    const unknown = await rejection(
      marketer.campaigns.create({ ...valid, segmentId: randomUUID(), templateId: randomUUID(), purposeId: 'no_such_purpose' }),
    );
    expect(unknown.code).toBe('BAD_REQUEST');
    expect(unknown.cause.code).toBe('CAMPAIGN_SEGMENT_NOT_FOUND');
    expect(Object.keys(unknown.cause.fieldErrors ?? {}).sort()).toEqual(['purposeId', 'segmentId', 'templateId']);

    const channel = await rejection(marketer.campaigns.create({ ...valid, channel: 'phone' }));
    expect([channel.code, channel.cause.code, channel.cause.field]).toEqual(['BAD_REQUEST', 'CHANNEL_NOT_IN_PURPOSE', 'channel']);

    const transactional = await rejection(marketer.campaigns.create({ ...valid, templateId: transactionalTemplateId }));
    expect([transactional.cause.code, transactional.cause.field]).toEqual(['CAMPAIGN_TEMPLATE_NOT_MARKETING', 'templateId']);

    const past = await rejection(marketer.campaigns.create({ ...valid, scheduledAt: new Date(Date.now() - 60_000).toISOString() }));
    expect([past.cause.code, past.cause.field]).toEqual(['CAMPAIGN_SCHEDULE_IN_PAST', 'scheduledAt']);

    const throttle = await rejection(marketer.campaigns.create({ ...valid, throttlePerMinute: 0 }));
    expect(throttle.code).toBe('BAD_REQUEST');
    expect(throttle.message).toContain('throttlePerMinute');

    for (const role of ['sales', 'dpo'] as const) {
      expect((await rejection(h.callerFor(role).caller.campaigns.create(valid))).code).toBe('FORBIDDEN');
    }
    expect((await rejection(h.callerFor(null).caller.campaigns.list({}))).code).toBe('UNAUTHORIZED');

    expect(await db.campaign.count()).toBe(0);
    expect(await db.auditEvent.count({ where: { entityType: 'campaign' } })).toBe(0);
  });

  it('sends to the one contact whose consent allows it, skips the others with the policy reason, and shows it all', async () => {
    const people = await contacts('mixed', ['confirmed', 'withdrawn', 'none']);
    const segmentId = await segmentOf('mixed');
    const marketer = h.callerFor('marketer').caller;

    const draft = await marketer.campaigns.create({ name: 'November', segmentId, templateId, purposeId: 'newsletter', channel: 'email' });
    expect(draft).toMatchObject({ status: 'draft', counts: { total: 0 }, progress: null, refusedFor: null, templateKind: 'marketing' });
    const renamed = await marketer.campaigns.update({
      id: draft.id,
      name: 'November newsletter',
      segmentId,
      templateId,
      purposeId: 'newsletter',
      channel: 'email',
      throttlePerMinute: 6000,
    });
    expect(renamed).toMatchObject({ name: 'November newsletter', throttlePerMinute: 6000, segmentName: `Group mixed ${marker}` });
    expect((await rejection(marketer.campaigns.pause({ id: draft.id }))).cause.code).toBe('CAMPAIGN_NOT_ACTIVE');

    // Twice at once, and once more: one workflow.
    const starts = await Promise.all([marketer.campaigns.start({ id: draft.id }), marketer.campaigns.start({ id: draft.id })]);
    expect(starts.map((s) => s.status).sort()).toEqual(['already_started', 'started']);
    expect(await marketer.campaigns.start({ id: draft.id })).toEqual({ status: 'already_started' });
    const late = await rejection(
      marketer.campaigns.update({ id: draft.id, name: 'Too late', segmentId, templateId, purposeId: 'newsletter', channel: 'email' }),
    );
    expect([late.code, late.cause.code]).toEqual(['CONFLICT', 'CAMPAIGN_NOT_DRAFT']);

    const done = await waitForStatus(draft.id, 'completed');
    expect(done.counts).toEqual({ total: 3, pending: 0, sent: 1, skipped: 2, failed: 0, bounced: 0 });
    expect(done.skippedByReason).toEqual([
      { code: 'CONSENT_WITHDRAWN', count: 1 },
      { code: 'NO_CONSENT', count: 1 },
    ]);
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    expect(done.progress).toBeNull();
    expect(done.refusedFor).toBeNull();

    // The recipients, each with exactly one outcome; sales sees no addresses.
    const all = await marketer.campaigns.recipients({ campaignId: draft.id });
    expect(all.nextCursor).toBeNull();
    const byContact = new Map(all.items.map((r) => [r.contactId, r]));
    expect(byContact.get(people.get('confirmed')!)).toMatchObject({
      outcome: 'sent',
      reasonCodes: [],
      email: `mixed-confirmed-${marker}@example.org`,
    });
    expect(byContact.get(people.get('withdrawn')!)).toMatchObject({
      outcome: 'skipped',
      reasonCodes: ['CONSENT_WITHDRAWN'],
      messageId: null,
    });
    expect(byContact.get(people.get('none')!)).toMatchObject({ outcome: 'skipped', reasonCodes: ['NO_CONSENT'], sentAt: null });
    const skipped = await marketer.campaigns.recipients({ campaignId: draft.id, outcome: 'skipped', limit: 1 });
    expect(skipped.items).toHaveLength(1);
    expect(skipped.nextCursor).not.toBeNull();
    const rest = await marketer.campaigns.recipients({ campaignId: draft.id, outcome: 'skipped', limit: 1, cursor: skipped.nextCursor });
    expect(rest.items).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();
    expect(new Set([...skipped.items, ...rest.items].map((r) => r.outcome))).toEqual(new Set(['skipped']));
    const asSales = await h.callerFor('sales').caller.campaigns.recipients({ campaignId: draft.id });
    expect(asSales.items.map((r) => r.email)).toEqual([null, null, null]);
    expect((await h.callerFor('dpo').caller.campaigns.list({})).map((c) => c.id)).toContain(draft.id);

    // Exactly one message in the sink, with the unsubscribe headers and the Message-ID of its row.
    const sent = byContact.get(people.get('confirmed')!)!;
    const mails = (await sender.sink.list()).filter((m) => m.to.startsWith('mixed-'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toBe(`mixed-confirmed-${marker}@example.org`);
    expect(mails[0]!.messageId).toBe(sent.messageId);
    const mail = await sender.sink.get(mails[0]!.id);
    const header = (name: string) => mail?.headers.find((x) => x.name.toLowerCase() === name.toLowerCase())?.value;
    expect(header('List-Unsubscribe')).toMatch(/<https:\/\/zweck\.test\/u\/[^>]+>/);
    expect(header('List-Unsubscribe')).toMatch(/<mailto:unsubscribe@/);
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(mail?.text).toContain('Hello Quirin');

    // The list agrees; what is over can neither be started again nor paused.
    const listed = (await marketer.campaigns.list({})).find((c) => c.id === draft.id);
    expect(listed?.counts).toEqual(done.counts);
    expect(await marketer.campaigns.start({ id: draft.id })).toEqual({ status: 'already_started' });
    expect((await rejection(marketer.campaigns.cancel({ id: draft.id }))).cause.code).toBe('CAMPAIGN_NOT_ACTIVE');
    const audited = await db.auditEvent.findMany({ where: { entityType: 'campaign', entityId: draft.id }, orderBy: { id: 'asc' } });
    expect(audited.map((a) => a.action)).toEqual(['campaign.create', 'campaign.update', 'campaign.start']);
    expect(JSON.stringify(audited.map((a) => a.details))).not.toContain('@example.org');
  });

  it('a scheduled campaign waits, takes pause, resume and cancel by signal, and ends cancelled with nobody mailed', async () => {
    await contacts('scheduled', ['confirmed']);
    const segmentId = await segmentOf('scheduled');
    const marketer = h.callerFor('marketer').caller;
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const { id } = await marketer.campaigns.create({
      name: 'Later',
      segmentId,
      templateId,
      purposeId: 'newsletter',
      channel: 'email',
      scheduledAt: inAnHour,
    });
    expect(await marketer.campaigns.start({ id })).toEqual({ status: 'started' });
    const waiting = await waitForStatus(id, 'scheduled');
    expect(waiting.scheduledAt?.toISOString()).toBe(inAnHour);
    expect(waiting.progress).toMatchObject({ status: 'waiting', paused: false, totals: { recipients: 0 } });

    expect(await marketer.campaigns.pause({ id })).toEqual({ status: 'signalled' });
    expect(await marketer.campaigns.resume({ id })).toEqual({ status: 'signalled' });
    expect((await rejection(h.callerFor('dpo').caller.campaigns.cancel({ id }))).code).toBe('FORBIDDEN');
    expect(await marketer.campaigns.cancel({ id })).toEqual({ status: 'signalled' });
    const cancelled = await waitForStatus(id, 'cancelled');
    expect(cancelled.counts.sent).toBe(0);
    expect(cancelled.refusedFor).toBeNull();
    expect((await sender.sink.list()).filter((m) => m.to.startsWith('scheduled-'))).toEqual([]);
    const actions = (await db.auditEvent.findMany({ where: { entityType: 'campaign', entityId: id }, orderBy: { id: 'asc' } })).map(
      (a) => a.action,
    );
    expect(actions).toEqual(['campaign.create', 'campaign.start', 'campaign.pause', 'campaign.resume', 'campaign.cancel']);
    expect(await h.temporal.workflow.getHandle(campaignWorkflowId(id)).result()).toMatchObject({ outcome: 'cancelled' });
  });

  it('shows why the workflow refused a campaign whose template lacks the footer', async () => {
    await contacts('refusal', ['confirmed']);
    const segmentId = await segmentOf('refusal');
    const bare = randomUUID();
    await db.template.create({
      data: { id: bare, name: 'No footer', kind: 'marketing', subject: 'Hi', html: '<p>Hi</p>', text: 'Hi', createdBy: 'system:test' },
    });
    const marketer = h.callerFor('marketer').caller;
    const { id } = await marketer.campaigns.create({
      name: 'Bare',
      segmentId,
      templateId: bare,
      purposeId: 'newsletter',
      channel: 'email',
    });
    expect(await marketer.campaigns.start({ id })).toEqual({ status: 'started' });
    const refused = await waitForStatus(id, 'cancelled');
    expect(refused.refusedFor).toEqual(['TEMPLATE_INVALID']);
    expect(refused.counts.total).toBe(0);
  });
});
