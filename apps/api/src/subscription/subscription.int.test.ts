import { createConfirmToken, createUnsubscribeToken } from '@zweck/mail/unsubscribe-token';
import { welcomeWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHarness } from '../test/harness.ts';

describe('public subscription and double opt-in confirmation', () => {
  let h: Awaited<ReturnType<typeof createHttpHarness>>;
  beforeAll(async () => {
    h = await createHttpHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const form = (fields: Record<string, string>, ip = '198.51.100.7') =>
    h.app.inject({
      method: 'POST',
      url: '/subscribe',
      remoteAddress: ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
  const subscription = (email: string) => ({ email, purposeId: 'newsletter', wordingVersion: '2026-11', language: 'en' });
  const ledgerOf = async (email: string) => {
    const contact = await h.db.contact.findUniqueOrThrow({ where: { emailNormalized: email }, select: { id: true } });
    const events = await h.db.consentEvent.findMany({ where: { contactId: contact.id }, orderBy: { recordedAt: 'asc' } });
    return { contactId: contact.id, events };
  };

  it('shows the form with the current wording', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/subscribe/newsletter?lang=de' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Ja, schicken Sie mir den monatlichen Newsletter');
    expect(res.body).toContain('name="wordingVersion" value="2026-11"');
  });

  it('records a pending grant with its proof and starts the double opt-in; a second submission records nothing new and answers alike', async () => {
    const first = await form(subscription('Subscriber@Example.org'));
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Check your inbox');
    const { contactId, events } = await ledgerOf('subscriber@example.org');
    const wording = await h.db.consentWording.findFirstOrThrow({ where: { purposeId: 'newsletter', version: '2026-11', language: 'en' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'granted',
      method: 'web_form',
      actor: 'contact',
      wordingVersion: '2026-11',
      wordingHash: wording.textHash,
      evidence: { ip: '198.51.100.0' },
    });
    const description = await h.temporal.workflow.getHandle(welcomeWorkflowId(contactId, 'newsletter')).describe();
    expect(description.status.name).toBe('RUNNING');

    const again = await form(subscription('subscriber@example.org'));
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    expect((await ledgerOf('subscriber@example.org')).events).toHaveLength(1);
  });

  it('refuses a malformed address by name and writes nothing', async () => {
    const before = await h.db.contact.count();
    const res = await form(subscription('not-an-address'));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('email: Enter a valid e-mail address');
    const json = await h.app.inject({
      method: 'POST',
      url: '/subscribe',
      payload: subscription('nope'),
      remoteAddress: '198.51.100.8',
    });
    expect(json.json()).toEqual({
      error: 'INVALID_INPUT',
      fieldErrors: { email: ['Enter a valid e-mail address, like name@example.org'] },
    });
    const unknown = await h.app.inject({
      method: 'POST',
      url: '/subscribe',
      payload: { ...subscription('x@example.org'), purposeId: 'consent_confirmation' },
      remoteAddress: '198.51.100.8',
    });
    expect(unknown.json()).toMatchObject({ error: 'PURPOSE_NOT_FOUND', field: 'purposeId' });
    expect(await h.db.contact.count()).toBe(before);
  });

  it('confirms the pending grant once, with the proof of the click; GET only asks', async () => {
    await form(subscription('confirms@example.org'));
    const { contactId, events } = await ledgerOf('confirms@example.org');
    const grantedAt = events[0]!.occurredAt.toISOString();
    const token = createConfirmToken(h.env.UNSUBSCRIBE_SECRET, {
      c: contactId,
      p: 'newsletter',
      ch: 'email',
      g: grantedAt,
      e: new Date(Date.now() + 3_600_000).toISOString(),
    });

    const asked = await h.app.inject({ method: 'GET', url: `/confirm/${token}` });
    expect(asked.body).toContain('Confirm your subscription to Newsletter?');
    expect((await ledgerOf('confirms@example.org')).events).toHaveLength(1);

    const post = () => h.app.inject({ method: 'POST', url: `/confirm/${token}`, remoteAddress: '203.0.113.9' });
    expect((await post()).body).toContain('you are subscribed');
    expect((await post()).statusCode).toBe(200);
    const after = (await ledgerOf('confirms@example.org')).events;
    expect(after.map((e) => e.kind)).toEqual(['granted', 'confirmed']);
    expect(after[1]).toMatchObject({ method: 'double_opt_in', source: 'confirmation-link', evidence: { ip: '203.0.113.0' } });
    expect((after[1]!.evidence as { tokenSha256: string }).tokenSha256).toMatch(/^[0-9a-f]{64}$/);
    const detail = await h.callerFor('dpo').caller.contacts.get({ id: contactId });
    expect(detail.consents).toEqual([expect.objectContaining({ purposeId: 'newsletter', status: 'confirmed' })]);
  });

  it('refuses a link past its deadline, or for a grant that is no longer in force, and an unsubscribe token', async () => {
    await form(subscription('late@example.org'));
    const { contactId, events } = await ledgerOf('late@example.org');
    const g = events[0]!.occurredAt.toISOString();
    const late = createConfirmToken(h.env.UNSUBSCRIBE_SECRET, {
      c: contactId,
      p: 'newsletter',
      ch: 'email',
      g,
      e: new Date(Date.now() - 1000).toISOString(),
    });
    expect((await h.app.inject({ method: 'POST', url: `/confirm/${late}` })).statusCode).toBe(410);
    const otherGrant = createConfirmToken(h.env.UNSUBSCRIBE_SECRET, {
      c: contactId,
      p: 'newsletter',
      ch: 'email',
      g: '2020-01-01T00:00:00.000Z',
      e: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect((await h.app.inject({ method: 'POST', url: `/confirm/${otherGrant}` })).statusCode).toBe(410);
    const wrongKind = createUnsubscribeToken(h.env.UNSUBSCRIBE_SECRET, { c: contactId, p: 'newsletter', ch: 'email', m: contactId });
    expect((await h.app.inject({ method: 'POST', url: `/confirm/${wrongKind}` })).statusCode).toBe(400);
    expect((await ledgerOf('late@example.org')).events.map((e) => e.kind)).toEqual(['granted']);
  });

  it('limits submissions per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await form(subscription(`flood-${i}@example.org`), '192.0.2.77')).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
