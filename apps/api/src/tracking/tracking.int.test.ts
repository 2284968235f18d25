import { randomUUID } from 'node:crypto';
import type { Db } from '@zweck/db';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignOut } from '../routers/campaigns/campaigns.schema.ts';
import { startFeedbackStack, hrefs, pathOf, AGENDA, OFFER, RUN_TIMEOUT, type FeedbackStack } from '../test/feedback-stack.ts';
import type { Harness } from '../test/harness.ts';
import { createUnsubscribeToken } from '@zweck/mail/unsubscribe-token';

/**
 * Open and click tracking on the real stack: the product's worker sends a tracked campaign into a
 * real SMTP sink; the pixel and the links are answered by the API's HTTP server.
 */
describe('open and click tracking, only where consent covers it', () => {
  const marker = randomUUID().slice(0, 8);
  let s: FeedbackStack;
  let h: Harness;
  let db: Db;
  let app: FastifyInstance;
  beforeAll(async () => {
    s = await startFeedbackStack();
    ({ h, db, app } = s);
  }, 200_000);
  afterAll(async () => s?.stop());
  const person: FeedbackStack['person'] = (...args) => s.person(...args);
  const segmentFor: FeedbackStack['segmentFor'] = (domain) => s.segmentFor(domain);
  const runCampaign: FeedbackStack['runCampaign'] = (...args) => s.runCampaign(...args);
  const mailTo: FeedbackStack['mailTo'] = (address) => s.mailTo(address);

  const domain = `track-${marker}.example.org`;
  const tracked = `tracked@${domain}`;
  const untracked = `untracked@${domain}`;
  let campaign: CampaignOut;
  let trackedId: string;
  let trackedHtml: string;

  beforeAll(async () => {
    trackedId = await person(tracked, { tracking: true });
    await person(untracked);
    campaign = await runCampaign(`Tracked ${marker}`, await segmentFor(domain), true);
    trackedHtml = String((await mailTo(tracked)).html);
  }, RUN_TIMEOUT + 10_000);

  it('tracks only the contact whose consent covers it, and records the decision for each', async () => {
    expect(campaign.counts).toMatchObject({ total: 2, sent: 2 });
    const links = hrefs(trackedHtml);
    expect(links.filter((l) => l.startsWith('https://zweck.test/t/c/'))).toHaveLength(2);
    expect(trackedHtml).not.toContain(OFFER);
    expect(trackedHtml).toMatch(/<img src="https:\/\/zweck\.test\/t\/o\/[^"]+\.gif"/);
    // The way out stays untracked.
    expect(links.some((l) => l.startsWith('https://zweck.test/u/'))).toBe(true);
    expect(links.some((l) => l.startsWith('https://zweck.test/preferences/'))).toBe(true);

    const plain = String((await mailTo(untracked)).html);
    expect(hrefs(plain)).toContain(OFFER);
    expect(plain).not.toContain('/t/c/');
    expect(plain).not.toContain('/t/o/');

    const decisions = await db.policyDecision.findMany({
      where: { action: 'track', decidedBy: `activity:sendCampaignBatch:${campaign.id}` },
      select: { contactId: true, allowed: true, reasonCodes: true, purposeId: true },
    });
    expect(decisions).toHaveLength(2);
    expect(decisions.find((d) => d.contactId === trackedId)).toMatchObject({ allowed: true, purposeId: 'email_tracking' });
    expect(decisions.find((d) => d.contactId !== trackedId)).toMatchObject({ allowed: false, reasonCodes: ['NO_CONSENT'] });
  });

  it('a click records an interaction with the campaign and redirects to the link the message had there', async () => {
    const clicks = hrefs(trackedHtml).filter((l) => l.startsWith('https://zweck.test/t/c/'));
    const second = await app.inject({ method: 'GET', url: pathOf(clicks[1]!) });
    expect(second.statusCode).toBe(302);
    expect(second.headers.location).toBe(AGENDA);
    const first = await app.inject({ method: 'GET', url: pathOf(clicks[0]!) });
    expect(first.headers.location).toBe(OFFER);
    expect(first.headers['cache-control']).toContain('no-store');
    const rows = await db.interaction.findMany({ where: { contactId: trackedId, kind: 'clicked' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.campaignId, (r.details as { link: number }).link])).toEqual([
      [campaign.id, 1],
      [campaign.id, 0],
    ]);
  });

  it('the pixel answers a 1×1 GIF that no cache keeps and records the open; the results count unique contacts', async () => {
    const pixel = /<img src="([^"]+)"/.exec(trackedHtml)![1]!;
    for (let i = 0; i < 2; i++) {
      const res = await app.inject({ method: 'GET', url: pathOf(pixel) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/gif');
      expect(res.headers['cache-control']).toContain('no-store');
      expect(res.rawPayload.subarray(0, 6).toString()).toBe('GIF89a');
    }
    expect(await db.interaction.count({ where: { contactId: trackedId, kind: 'opened', campaignId: campaign.id } })).toBe(2);
    const marketer = h.callerFor('marketer').caller;
    expect((await marketer.campaigns.get({ id: campaign.id })).engagement).toEqual({ opened: 1, clicked: 1 });
    expect((await marketer.campaigns.list({})).find((c) => c.id === campaign.id)?.engagement).toEqual({ opened: 1, clicked: 1 });
  });

  it('a forged or foreign token records nothing and answers 404 without personal data', async () => {
    const before = await db.interaction.count();
    const click = hrefs(trackedHtml).find((l) => l.startsWith('https://zweck.test/t/c/'))!;
    const token = pathOf(click).slice('/t/c/'.length);
    const [payload, signature] = token.split('.') as [string, string];
    // The same claims with another link index, re-encoded: the signature no longer fits.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${Buffer.from(JSON.stringify({ ...claims, i: 1 })).toString('base64url')}.${signature}`;
    const unsubscribe = createUnsubscribeToken(h.env.UNSUBSCRIBE_SECRET, { c: trackedId, p: 'newsletter', ch: 'email', m: randomUUID() });
    for (const url of [`/t/c/${forged}`, `/t/c/${unsubscribe}`, `/t/o/${forged}.gif`, `/t/o/${unsubscribe}.gif`, '/t/c/nonsense']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.headers.location).toBeUndefined();
      expect(res.body).toBe('not found');
    }
    expect(await db.interaction.count()).toBe(before);
  });

  it('a withdrawal of the tracking consent after the send stops recording, while the link still leads on', async () => {
    await db.consentEvent.create({
      data: {
        contactId: trackedId,
        purposeId: 'email_tracking',
        channel: 'email',
        kind: 'withdrawn',
        method: 'preference_center',
        occurredAt: new Date(),
        source: 'test',
        actor: 'contact',
      },
    });
    const before = await db.interaction.count({ where: { contactId: trackedId } });
    const click = hrefs(trackedHtml).find((l) => l.startsWith('https://zweck.test/t/c/'))!;
    const res = await app.inject({ method: 'GET', url: pathOf(click) });
    expect(res.headers.location).toBe(OFFER);
    expect(await db.interaction.count({ where: { contactId: trackedId } })).toBe(before);
  });
});
