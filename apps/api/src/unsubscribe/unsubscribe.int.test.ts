import { randomUUID } from 'node:crypto';
import { createUnsubscribeToken } from '@zweck/mail/unsubscribe-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHarness } from '../test/harness.ts';

describe('one-click unsubscribe (RFC 8058)', () => {
  let h: Awaited<ReturnType<typeof createHttpHarness>>;
  let contactId: string;
  let token: string;

  beforeAll(async () => {
    h = await createHttpHarness();
    const { caller } = h.callerFor('marketer');
    ({ id: contactId } = await caller.contacts.create({
      email: 'unsubscribe-me@example.org',
      consent: {
        purposeId: 'newsletter',
        channel: 'email',
        method: 'web_form',
        wordingVersion: '2026-11',
        wordingLanguage: 'en',
        grantedAt: '2026-11-01T10:00:00.000Z',
        source: 'website',
      },
    }));
    token = createUnsubscribeToken(h.env.UNSUBSCRIBE_SECRET, { c: contactId, p: 'newsletter', ch: 'email', m: randomUUID() });
  });
  afterAll(async () => {
    await h?.close();
  });

  const withdrawals = () => h.db.consentEvent.count({ where: { contactId, kind: 'withdrawn' } });

  it('GET only asks: a mail scanner following the link withdraws nothing', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/u/${token}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Unsubscribe from Newsletter?');
    expect(res.body).toContain(`<form method="post" action="/u/${token}">`);
    expect(res.body).not.toContain('unsubscribe-me@example.org');
    expect(await withdrawals()).toBe(0);
  });

  it('POST withdraws without cookies or CSRF token, and a repeated POST adds nothing', async () => {
    const post = () =>
      h.app.inject({
        method: 'POST',
        url: `/u/${token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
    const first = await post();
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('You are unsubscribed');
    const second = await post();
    expect(second.statusCode).toBe(200);
    const multipart = await h.app.inject({
      method: 'POST',
      url: `/u/${token}`,
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      payload: '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n',
    });
    expect(multipart.statusCode).toBe(200);

    expect(await withdrawals()).toBe(1);
    const event = await h.db.consentEvent.findFirstOrThrow({ where: { contactId, kind: 'withdrawn' } });
    expect(event).toMatchObject({ method: 'one_click_unsubscribe', actor: 'contact' });
    const detail = await h.callerFor('marketer').caller.contacts.get({ id: contactId });
    expect(detail.consents).toEqual([expect.objectContaining({ purposeId: 'newsletter', status: 'withdrawn' })]);
  });

  it('refuses a tampered link with 400 and changes nothing', async () => {
    const [payload] = token.split('.');
    const res = await h.app.inject({
      method: 'POST',
      url: `/u/${payload}.AAAA`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('not valid');
    expect(await withdrawals()).toBe(1);
  });
});
