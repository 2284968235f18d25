import { createPreferencesToken, createUnsubscribeToken } from '@zweck/mail/unsubscribe-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHarness } from '../test/harness.ts';
import { newsletterConsent } from '../test/helpers.ts';

describe('preference center', () => {
  let h: Awaited<ReturnType<typeof createHttpHarness>>;
  let contactId: string;
  let token: string;

  beforeAll(async () => {
    h = await createHttpHarness();
    ({ id: contactId } = await h.callerFor('marketer').caller.contacts.create({
      email: 'chooses@example.org',
      consent: newsletterConsent(),
    }));
    token = createPreferencesToken(h.env.UNSUBSCRIBE_SECRET, { c: contactId });
  });
  afterAll(async () => {
    await h?.close();
  });

  const save = (fields: [string, string][]) =>
    h.app.inject({
      method: 'POST',
      url: `/preferences/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
  const ledger = async () =>
    (
      await h.db.consentEvent.findMany({
        where: { contactId },
        orderBy: { recordedAt: 'asc' },
        select: { purposeId: true, kind: true, method: true, wordingVersion: true },
      })
    ).map((e) => `${e.purposeId}:${e.kind}:${e.method}${e.wordingVersion ? `:${e.wordingVersion}` : ''}`);

  it('shows every consent purpose with the current choice and its wording; GET changes nothing', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/preferences/${token}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('name="on" value="newsletter" checked');
    expect(res.body).toContain('name="on" value="product_updates">');
    expect(res.body).toContain('Yes, tell me by e-mail about updates to the products I use.');
    expect(res.body).not.toContain('consent_confirmation');
    expect(await ledger()).toEqual(['newsletter:granted:in_person:2026-11']);
  });

  it('records only the changes: one withdrawal, one grant with its wording; the same submission again adds nothing', async () => {
    expect((await save([['on', 'product_updates']])).body).toContain('Your choices are saved.');
    expect((await save([['on', 'product_updates']])).body).toContain('Nothing changed.');
    expect(await ledger()).toEqual([
      'newsletter:granted:in_person:2026-11',
      'newsletter:withdrawn:preference_center',
      'product_updates:granted:preference_center:2026-11',
    ]);
    const detail = await h.callerFor('dpo').caller.contacts.get({ id: contactId });
    expect(Object.fromEntries(detail.consents.map((c) => [c.purposeId, c.status]))).toEqual({
      newsletter: 'withdrawn',
      product_updates: 'granted',
    });
  });

  it('"no marketing at all" is an objection that ends every purpose', async () => {
    await save([
      ['on', 'newsletter'],
      ['objectToAll', '1'],
    ]);
    const detail = await h.callerFor('dpo').caller.contacts.get({ id: contactId });
    expect(detail.objectedToDirectMarketingAt).not.toBeNull();
    expect(detail.consents.every((c) => c.status === 'withdrawn')).toBe(true);
    expect((await ledger()).slice(-2)).toEqual(['product_updates:withdrawn:preference_center', 'newsletter:objected:preference_center']);
  });

  it('refuses another kind of token', async () => {
    const unsubscribe = createUnsubscribeToken(h.env.UNSUBSCRIBE_SECRET, { c: contactId, p: 'newsletter', ch: 'email', m: contactId });
    expect((await h.app.inject({ method: 'GET', url: `/preferences/${unsubscribe}` })).statusCode).toBe(400);
  });
});
