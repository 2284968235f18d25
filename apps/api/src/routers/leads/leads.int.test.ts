import { randomUUID } from 'node:crypto';
import type { Role } from '@zweck/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordContactEvent, recordInteraction, type InteractionDeps } from '../../interactions.ts';
import { createHarness, type Harness } from '../../test/harness.ts';
import { codeOf } from '../../test/helpers.ts';
import { startSendingWorker, type SendingWorker } from '../../test/mail-sink.ts';

/**
 * Scoring through the one door interactions enter by, and the handoff on the real Temporal dev
 * server with the product's worker: a consenting contact's clicks cross the threshold, the lead
 * lands in the right rep's inbox, and the rep gets the mail in the sink.
 */
describe('lead scoring and the handoff to sales (API, worker, Temporal, SMTP sink)', () => {
  let h: Harness;
  let sender: SendingWorker;
  let deps: InteractionDeps;
  const reps: Record<'nora' | 'sven', { id: string; email: string }> = { nora: { id: '', email: '' }, sven: { id: '', email: '' } };

  beforeAll(async () => {
    h = await createHarness();
    sender = await startSendingWorker(h);
    deps = { db: h.db, temporal: h.temporal, suppressionKey: h.env.SUPPRESSION_KEY, taskQueue: h.env.TEMPORAL_TASK_QUEUE };
    for (const [nick, territories] of [
      ['nora', ['Hamburg', 'Berlin']],
      ['sven', ['München']],
    ] as const) {
      const email = `${nick}@zweck.test`;
      const user = await h.db.user.create({
        data: { email, displayName: nick, role: 'sales', passwordHash: 'not-used' },
        select: { id: true },
      });
      reps[nick] = { id: user.id, email };
      // The demo sales user manages both.
      await h.db.salesRep.create({ data: { userId: user.id, territories: [...territories], managerId: h.userId('sales') } });
    }
    const marketer = h.callerFor('marketer').caller;
    await marketer.scoring.createRule({
      name: 'Clicked a link',
      sourceType: 'interaction',
      match: 'clicked',
      points: 30,
      halfLifeDays: 30,
      isActive: true,
    });
    await marketer.scoring.updateSettings({ threshold: 50, dueHours: 24, assignmentMode: 'round_robin', territoryFieldKey: null });
  });

  afterAll(async () => {
    await sender?.stop();
    await h?.close();
  });

  const asUser = (id: string, role: Role = 'sales') =>
    h.callerFor(role, { user: { id, email: 'x@zweck.test', displayName: 'x', role } }).caller;

  async function contact(nick: string, options: { scoringConsent: boolean; city?: string }): Promise<string> {
    const id = randomUUID();
    const email = `${nick}@prospect.example`;
    await h.db.contact.create({
      data: {
        id,
        email,
        emailNormalized: email,
        firstName: nick,
        organization: 'Prospect AG',
        attributes: options.city ? { city: options.city, notes: 'private note' } : { notes: 'private note' },
      },
    });
    await h.db.provenance.create({
      data: { contactId: id, source: 'web_form', reference: 'demo-request', legalBasis: 'legitimate_interest', actor: 'contact' },
    });
    if (options.scoringConsent) {
      await h.db.consentEvent.create({
        data: {
          contactId: id,
          purposeId: 'lead_scoring',
          channel: 'email',
          kind: 'granted',
          occurredAt: new Date(Date.now() - 86_400_000),
          method: 'web_form',
          source: 'website/demo-request',
          wordingVersion: '2026-11',
          actor: 'contact',
        },
      });
    }
    return id;
  }

  const click = (contactId: string) => recordInteraction(deps, { contactId, kind: 'clicked', occurredAt: new Date() });

  async function leadOf(contactId: string) {
    for (let i = 0; i < 300; i++) {
      const lead = await h.db.lead.findFirst({ where: { contactId }, select: { id: true, ownerId: true, status: true } });
      if (lead) return lead;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no lead was written\n--- worker output ---\n${sender.worker.output()}`);
  }

  const leadIds: Record<string, string> = {};

  it('clicks push consenting contacts over the threshold; round robin gives one lead to each rep, who gets the mail', async () => {
    const first = await contact('first', { scoringConsent: true });
    const second = await contact('second', { scoringConsent: true });
    await click(first);
    expect(await h.db.lead.count({ where: { contactId: first } })).toBe(0);
    await click(first); // 60 >= 50
    const firstLead = await leadOf(first);
    await click(second);
    await click(second);
    const secondLead = await leadOf(second);
    expect(new Set([firstLead.ownerId, secondLead.ownerId])).toEqual(new Set([reps.nora.id, reps.sven.id]));
    leadIds.first = firstLead.id;
    leadIds.second = secondLead.id;

    // Each rep sees exactly their own lead under "mine".
    const firstOwner = firstLead.ownerId === reps.nora.id ? reps.nora : reps.sven;
    const inbox = await asUser(firstOwner.id).leads.inbox({ tab: 'mine' });
    expect(inbox.items.map((i) => i.id)).toEqual([firstLead.id]);
    expect(inbox.items[0]).toMatchObject({ label: 'first', organization: 'Prospect AG', triggerKind: 'threshold' });

    // The rep's notification: a link to the lead page, nothing about the person.
    await expect.poll(async () => (await sender.sink.list()).filter((m) => m.to === firstOwner.email).length, { timeout: 30_000 }).toBe(1);
    const [mail] = await sender.parsedMails((m) => m.to === firstOwner.email);
    expect(mail!.subject).toBe('A new lead is waiting for you');
    expect(mail!.text).toContain(`${h.env.PUBLIC_URL}/leads/${firstLead.id}`);
    expect(`${mail!.text} ${String(mail!.html)}`).not.toMatch(/first@prospect|Prospect AG/);
  });

  it('never scores a contact without consent to profiling: NO_CONSENT is recorded and no lead is made', async () => {
    const refuser = await contact('refuser', { scoringConsent: false });
    await click(refuser);
    await click(refuser);
    await click(refuser);
    expect(await h.db.scoreEvent.count({ where: { contactId: refuser } })).toBe(0);
    const decisions = await h.db.policyDecision.findMany({
      where: { contactId: refuser, action: 'profile' },
      select: { allowed: true, reasonCodes: true },
    });
    expect(decisions).toEqual(Array.from({ length: 3 }, () => ({ allowed: false, reasonCodes: ['NO_CONSENT'] })));
    expect(await h.db.lead.count({ where: { contactId: refuser } })).toBe(0);
  });

  it('scores named API events by their rules too, below the threshold without a handoff', async () => {
    await h.callerFor('marketer').caller.scoring.createRule({
      name: 'Registered for a webinar',
      sourceType: 'event',
      match: 'webinar.registered',
      points: 15,
      halfLifeDays: null,
      isActive: true,
    });
    const attendee = await contact('attendee', { scoringConsent: true });
    await recordContactEvent(deps, { contactId: attendee, name: 'webinar.registered', occurredAt: new Date() });
    const events = await h.db.scoreEvent.findMany({
      where: { contactId: attendee },
      select: { points: true, halfLifeDays: true, reason: true },
    });
    expect(events).toEqual([{ points: 15, halfLifeDays: null, reason: 'Registered for a webinar' }]);
    expect(await h.db.lead.count({ where: { contactId: attendee } })).toBe(0);
  });

  it('by territory: a contact in München goes to the rep who covers it', async () => {
    await h
      .callerFor('marketer')
      .caller.scoring.updateSettings({ threshold: 50, dueHours: 24, assignmentMode: 'territory', territoryFieldKey: 'city' });
    try {
      const south = await contact('south', { scoringConsent: true, city: 'München' });
      await click(south);
      await click(south);
      const lead = await leadOf(south);
      expect(lead.ownerId).toBe(reps.sven.id);
      leadIds.south = lead.id;
    } finally {
      await h
        .callerFor('marketer')
        .caller.scoring.updateSettings({ threshold: 50, dueHours: 24, assignmentMode: 'round_robin', territoryFieldKey: null });
    }
  });

  it('answers NOT_FOUND for another rep’s lead; the manager sees the team; marketers have no inbox', async () => {
    const southLead = leadIds.south!;
    const nora = asUser(reps.nora.id);
    expect(await codeOf(nora.leads.get({ id: southLead }))).toBe('NOT_FOUND');
    expect(await codeOf(nora.leads.accept({ id: southLead }))).toBe('NOT_FOUND');
    expect(await codeOf(nora.leads.recycle({ id: southLead, reason: 'no_fit' }))).toBe('NOT_FOUND');
    expect(await codeOf(nora.leads.get({ id: randomUUID() }))).toBe('NOT_FOUND');
    expect((await nora.leads.inbox({ tab: 'due_soon' })).items.map((i) => i.id)).not.toContain(southLead);

    const manager = h.callerFor('sales').caller;
    const team = await manager.leads.inbox({ tab: 'due_soon' });
    expect(team.isManager).toBe(true);
    expect(team.items.map((i) => i.id).sort()).toEqual([leadIds.first, leadIds.second, southLead].sort());
    expect((await manager.leads.get({ id: southLead })).ownerName).toBe('sven');

    expect(await codeOf(h.callerFor('marketer').caller.leads.inbox({ tab: 'mine' }))).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor(null).caller.leads.inbox({ tab: 'mine' }))).toBe('UNAUTHORIZED');
  });

  it('the lead page shows only the sales purpose’s fields, the score’s explanation and what the rep may do; accepting settles it', async () => {
    const southLead = leadIds.south!;
    const sven = asUser(reps.sven.id);
    const lead = await sven.leads.get({ id: southLead });
    expect(lead.isMine).toBe(true);
    expect(lead.fields.map((f) => f.key)).not.toContain('notes');
    expect(lead.fields.find((f) => f.key === 'city')?.value).toBe('München');
    expect(lead.score.events.map((e) => e.points)).toEqual([30, 30]);
    expect(lead.score.threshold).toBe(50);
    expect(lead.interactions.map((i) => i.kind)).toEqual(['clicked', 'clicked']);
    expect(lead.mayDo.find((m) => m.channel === 'email')).toMatchObject({
      allowed: true,
      legalBasis: 'legitimate_interest',
      purpose: { id: 'sales_follow_up' },
    });
    expect(lead.mayDo.find((m) => m.channel === 'phone')).toMatchObject({ allowed: false, reasonCodes: ['NO_CONSENT'] });
    const reads = await h.db.auditEvent.findMany({
      where: { action: 'contact.read', entityId: lead.contactId },
      select: { actor: true, details: true },
    });
    expect(reads).toContainEqual({
      actor: `user:${reps.sven.id}`,
      details: expect.objectContaining({ view: 'leads.get', basis: 'owner', leadId: southLead }) as unknown,
    });

    expect(await sven.leads.accept({ id: southLead })).toEqual({ status: 'pending' });
    await expect
      .poll(async () => (await h.db.lead.findUniqueOrThrow({ where: { id: southLead } })).status, { timeout: 30_000 })
      .toBe('accepted');
    expect(await codeOf(sven.leads.accept({ id: southLead }))).toBe('CONFLICT');
  });

  it('marketers hand a contact over by hand; a second handoff while one is open is refused', async () => {
    const manual = await contact('manual', { scoringConsent: false });
    const marketer = h.callerFor('marketer').caller;
    expect(await marketer.scoring.handOff({ contactId: manual })).toEqual({ started: true });
    const lead = await leadOf(manual);
    expect([reps.nora.id, reps.sven.id]).toContain(lead.ownerId);
    expect(await codeOf(marketer.scoring.handOff({ contactId: manual }))).toBe('CONFLICT');
    expect(await codeOf(marketer.scoring.handOff({ contactId: randomUUID() }))).toBe('NOT_FOUND');
    expect(await codeOf(h.callerFor('sales').caller.scoring.handOff({ contactId: manual }))).toBe('FORBIDDEN');
  });
});
