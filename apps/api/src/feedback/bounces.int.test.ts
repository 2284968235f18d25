import { randomUUID } from 'node:crypto';
import type { Db } from '@zweck/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignOut } from '../routers/campaigns/campaigns.schema.ts';
import { startFeedbackStack, RUN_TIMEOUT, type FeedbackStack } from '../test/feedback-stack.ts';
import type { Harness } from '../test/harness.ts';

/**
 * Bounces and complaints on the real stack: the SMTP sink in its bounce and complaint mode refuses,
 * bounces and complains for chosen recipients and mails its reports to the API's inbound listener.
 */
describe('bounces and complaints come back into the product', () => {
  const marker = randomUUID().slice(0, 8);
  let s: FeedbackStack;
  let h: Harness;
  let db: Db;
  beforeAll(async () => {
    s = await startFeedbackStack();
    ({ h, db } = s);
  }, 200_000);
  afterAll(async () => s?.stop());
  const person: FeedbackStack['person'] = (...args) => s.person(...args);
  const segmentFor: FeedbackStack['segmentFor'] = (domain) => s.segmentFor(domain);
  const runCampaign: FeedbackStack['runCampaign'] = (...args) => s.runCampaign(...args);
  const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false>): Promise<T> => s.waitFor(what, probe);

  const domain = `fb-${marker}.example.org`;
  const ids: Record<'syncBounce' | 'hardBounce' | 'softBounce' | 'complaint' | 'fine', string> = {
    syncBounce: '',
    hardBounce: '',
    softBounce: '',
    complaint: '',
    fine: '',
  };
  let first: CampaignOut;
  let segmentId: string;

  beforeAll(async () => {
    ids.syncBounce = await person(`bounce-sync@${domain}`);
    ids.hardBounce = await person(`bounce@${domain}`);
    ids.softBounce = await person(`softbounce@${domain}`);
    ids.complaint = await person(`complain@${domain}`);
    ids.fine = await person(`fine@${domain}`);
    segmentId = await segmentFor(domain);
    first = await runCampaign(`Feedback ${marker}`, segmentId, false);
    await s.sinkServer.feedbackSettled();
  }, RUN_TIMEOUT + 10_000);

  const outcomeOf = (campaignId: string, contactId: string) =>
    db.campaignRecipient.findUniqueOrThrow({ where: { campaignId_contactId: { campaignId, contactId } } });

  it('a synchronous 550 5.1.1 is a bounced outcome with the SMTP answer, and marks the address undeliverable', async () => {
    const row = await outcomeOf(first.id, ids.syncBounce);
    expect(row.outcome).toBe('bounced');
    expect(row.smtpResponse).toMatch(/^550 5\.1\.1 /);
    const contact = await db.contact.findUniqueOrThrow({ where: { id: ids.syncBounce } });
    expect(contact.emailUndeliverableAt).not.toBeNull();
    const bounced = await db.interaction.findMany({ where: { contactId: ids.syncBounce, kind: 'bounced' } });
    expect(bounced.map((b) => b.details)).toEqual([expect.objectContaining({ status: '5.1.1', isHard: true, via: 'smtp' })]);
  });

  it('a DSN with 5.1.1 that comes back later turns the outcome into bounced and marks the address', async () => {
    const row = await waitFor('the hard bounce', async () => {
      const r = await outcomeOf(first.id, ids.hardBounce);
      return r.outcome === 'bounced' ? r : null;
    });
    expect(row.smtpResponse).toMatch(/^DSN 5\.1\.1/);
    expect((await db.contact.findUniqueOrThrow({ where: { id: ids.hardBounce } })).emailUndeliverableAt).not.toBeNull();
    const interactions = await db.interaction.findMany({ where: { contactId: ids.hardBounce, kind: 'bounced' } });
    expect(interactions).toHaveLength(1);
    expect(interactions[0]?.campaignId).toBe(first.id);
    expect(interactions[0]?.details).toMatchObject({ status: '5.1.1', isHard: true, via: 'dsn' });
  });

  it('a soft bounce (4.2.2) counts as an interaction but marks nothing', async () => {
    const soft = await waitFor('the soft bounce', async () => {
      const rows = await db.interaction.findMany({ where: { contactId: ids.softBounce, kind: 'bounced' } });
      return rows.length > 0 ? rows : null;
    });
    expect(soft[0]?.details).toMatchObject({ status: '4.2.2', isHard: false });
    expect((await outcomeOf(first.id, ids.softBounce)).outcome).toBe('sent');
    expect((await db.contact.findUniqueOrThrow({ where: { id: ids.softBounce } })).emailUndeliverableAt).toBeNull();
  });

  it('a complaint (ARF) is an objection to direct marketing in the ledger, with the method spam_complaint', async () => {
    const objection = await waitFor('the objection', () =>
      db.consentEvent.findFirst({ where: { contactId: ids.complaint, kind: 'objected' } }),
    );
    expect(objection).toMatchObject({ method: 'spam_complaint', purposeId: 'newsletter', actor: 'contact' });
    expect(await db.interaction.count({ where: { contactId: ids.complaint, kind: 'complained', campaignId: first.id } })).toBe(1);
  });

  it('the next campaign skips the undeliverable addresses and the person who complained', async () => {
    await waitFor('every report processed', async () => (await db.interaction.count({ where: { contactId: ids.softBounce } })) > 0);
    const second = await runCampaign(`Feedback again ${marker}`, segmentId, false);
    expect((await outcomeOf(second.id, ids.syncBounce)).reasonCodes).toEqual(['ADDRESS_UNDELIVERABLE']);
    expect((await outcomeOf(second.id, ids.hardBounce)).reasonCodes).toEqual(['ADDRESS_UNDELIVERABLE']);
    // The objection is the primary reason; the fold also shows the consent as ended by it.
    const complained = await outcomeOf(second.id, ids.complaint);
    expect(complained.outcome).toBe('skipped');
    expect(complained.reasonCodes[0]).toBe('OBJECTED_TO_DIRECT_MARKETING');
    expect((await outcomeOf(second.id, ids.softBounce)).outcome).toBe('sent');
    expect((await outcomeOf(second.id, ids.fine)).outcome).toBe('sent');
  });

  it('correcting a bounced address lifts the mark: the new address is not known to bounce', async () => {
    const marketer = h.callerFor('marketer').caller;
    // A marketer corrects a record only with a logged reason (need to know).
    for (const id of [ids.fine, ids.hardBounce]) await marketer.contacts.open({ id, reason: 'correction' });
    const kept = await db.contact.findUniqueOrThrow({ where: { id: ids.fine } });
    await marketer.contacts.update({ id: ids.fine, values: { email: kept.email, firstName: 'Quirinus' } });
    await marketer.contacts.update({ id: ids.hardBounce, values: { email: `bounce@${domain}`, firstName: 'Quirinus' } });
    // A change of another field keeps the mark; a new address lifts it.
    expect((await db.contact.findUniqueOrThrow({ where: { id: ids.hardBounce } })).emailUndeliverableAt).not.toBeNull();
    await marketer.contacts.update({ id: ids.hardBounce, values: { email: `corrected@${domain}`, firstName: 'Quirinus' } });
    expect((await db.contact.findUniqueOrThrow({ where: { id: ids.hardBounce } })).emailUndeliverableAt).toBeNull();
    expect((await db.contact.findUniqueOrThrow({ where: { id: ids.syncBounce } })).emailUndeliverableAt).not.toBeNull();
  });

  it('nothing of the reports reaches the log: outcomes only, no address', () => {
    const feedback = s.logLines.filter((l) => l.includes('mail feedback'));
    expect(feedback.length).toBeGreaterThanOrEqual(3);
    expect(s.logLines.join('\n')).not.toContain(domain);
  });
});
