import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createUnsubscribeToken, unsubscribeMailto } from '@zweck/mail/unsubscribe-token';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../test/harness.ts';
import { newsletterConsent } from '../test/helpers.ts';
import { startUnsubscribeMailListener, type UnsubscribeMailListener } from './unsubscribe-mail.listener.ts';

describe('mailto unsubscribe (RFC 2369) over a real SMTP session', () => {
  let h: Harness;
  let listener: UnsubscribeMailListener;
  let transport: Transporter<SMTPTransport.SentMessageInfo>;
  const logLines: string[] = [];

  beforeAll(async () => {
    h = await createHarness();
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString());
          done();
        },
      }),
    );
    listener = await startUnsubscribeMailListener({ ...h.deps, log }, { host: '127.0.0.1', port: 0, maxBytes: 16 * 1024 });
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
  });
  afterAll(async () => {
    transport?.close();
    await listener?.stop();
    await h?.close();
  });

  const subscriber = async (email: string): Promise<string> =>
    (
      await h.callerFor('marketer').caller.contacts.create({
        email,
        consent: newsletterConsent(),
      })
    ).id;
  const tokenFor = (contactId: string) =>
    createUnsubscribeToken(h.env.UNSUBSCRIBE_SECRET, { c: contactId, p: 'newsletter', ch: 'email', m: randomUUID() });
  const ledger = (contactId: string) =>
    h.db.consentEvent.findMany({
      where: { contactId },
      orderBy: { recordedAt: 'asc' },
      select: { kind: true, method: true, source: true, actor: true },
    });
  const newsletterGate = async (contactId: string) =>
    (await h.callerFor('dpo').caller.contacts.get({ id: contactId })).sendability.find(
      (s) => s.purposeId === 'newsletter' && s.channel === 'email',
    );
  /** What a mail client makes of the mailto URI in List-Unsubscribe: To and Subject from the URI. */
  const mailFromUri = (uri: string) => {
    const url = new URL(uri);
    return { to: url.pathname, subject: url.searchParams.get('subject') ?? '' };
  };
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('the listener accepted the message');
      },
      (error: unknown) => error as { responseCode?: number; response?: string; code?: string },
    );

  it('withdraws with method mailto_unsubscribe; the next decision says CONSENT_WITHDRAWN; a repeated mail records nothing more', async () => {
    const contactId = await subscriber('mailto-me@example.org');
    expect(await newsletterGate(contactId)).toMatchObject({ allowed: true });
    const token = tokenFor(contactId);
    // The URI exactly as the activities write it into List-Unsubscribe.
    const { to, subject } = mailFromUri(unsubscribeMailto(h.env.MAIL_DOMAIN, token));
    expect(to).toBe(`unsubscribe@${h.env.MAIL_DOMAIN}`);

    const first = await transport.sendMail({ from: 'mailto-me@example.org', to, subject, text: 'This message will unsubscribe you.' });
    expect(first.response).toMatch(/^250 .*Unsubscribed/);
    const again = await transport.sendMail({ from: 'mailto-me@example.org', to, subject: `Re: ${subject}`, text: '' });
    expect(again.response).toMatch(/^250 .*Already unsubscribed/);

    const events = await ledger(contactId);
    expect(events.filter((e) => e.kind === 'withdrawn')).toEqual([
      { kind: 'withdrawn', method: 'mailto_unsubscribe', source: expect.stringMatching(/^message:/) as string, actor: 'contact' },
    ]);
    expect(await newsletterGate(contactId)).toMatchObject({ allowed: false, reasonCodes: ['CONSENT_WITHDRAWN'] });
    expect(
      await h.db.auditEvent.count({
        where: { action: 'consent.withdraw', entityId: contactId, details: { path: ['via'], equals: 'mailto_unsubscribe' } },
      }),
    ).toBe(1);
  });

  it('refuses a forged token and writes nothing; a genuine token in the body (the fallback) works', async () => {
    const contactId = await subscriber('forged@example.org');
    const victim = tokenFor(contactId);
    const [, signature] = tokenFor(await subscriber('attacker@example.org')).split('.');
    const forged = `${victim.split('.')[0]}.${signature}`;
    const to = `unsubscribe@${h.env.MAIL_DOMAIN}`;

    const error = await refusal(transport.sendMail({ from: 'attacker@example.org', to, subject: `unsubscribe ${forged}`, text: forged }));
    expect(error.responseCode).toBe(550);
    expect(error.response).toContain('not valid');
    const nothing = await refusal(transport.sendMail({ from: 'attacker@example.org', to, subject: 'unsubscribe', text: 'please' }));
    expect(nothing.responseCode).toBe(550);
    expect(await ledger(contactId)).toHaveLength(1);
    expect(await newsletterGate(contactId)).toMatchObject({ allowed: true });

    const fallback = await transport.sendMail({
      from: 'forged@example.org',
      to,
      subject: 'Unsubscribe',
      text: `Please unsubscribe me.\n\n> Unsubscribe: https://zweck.test/u/${victim}\n`,
    });
    expect(fallback.response).toMatch(/^250 /);
    expect((await ledger(contactId)).map((e) => `${e.kind}:${e.method}`)).toEqual(['granted:in_person', 'withdrawn:mailto_unsubscribe']);
  });

  it('refuses other recipients at RCPT TO, and oversized messages, with a clear answer', async () => {
    const contactId = await subscriber('too-big@example.org');
    const wrong = await refusal(
      transport.sendMail({ from: 'someone@example.org', to: `info@${h.env.MAIL_DOMAIN}`, subject: 'hello', text: 'hi' }),
    );
    expect(wrong.code).toBe('EENVELOPE');
    expect(wrong.responseCode).toBe(550);
    expect(wrong.response).toContain(`only unsubscribe requests, for unsubscribe@${h.env.MAIL_DOMAIN}`);

    const big = await refusal(
      transport.sendMail({
        from: 'too-big@example.org',
        to: `unsubscribe@${h.env.MAIL_DOMAIN}`,
        subject: `unsubscribe ${tokenFor(contactId)}`,
        text: 'x'.repeat(40 * 1024),
      }),
    );
    expect(big.responseCode).toBe(552);
    expect(await ledger(contactId)).toHaveLength(1);
  });

  it('logs outcomes only: no address, no token', () => {
    const text = logLines.join('');
    expect(text).toContain('"outcome":"withdrawn"');
    expect(text).toContain('"outcome":"invalid_token"');
    expect(text).toContain('"outcome":"recipient_refused"');
    expect(text).not.toMatch(/example\.org/);
    expect(text).not.toMatch(/[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{43}/);
  });
});
