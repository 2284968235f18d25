import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { startMailSink, type MailSink } from './sink.ts';

/** Two real sinks: the one under test, and a second one standing in for the product's inbound listener. */
describe('mail sink: bounce and complaint mode', () => {
  const sinks: MailSink[] = [];
  afterEach(async () => {
    for (const s of sinks.splice(0)) await s.stop();
  });

  async function pair() {
    const inbound = await startMailSink({ smtpPort: 0, httpPort: 0 });
    const sink = await startMailSink({
      smtpPort: 0,
      httpPort: 0,
      feedback: { relay: { host: '127.0.0.1', port: inbound.smtpPort }, delayMs: 0 },
    });
    sinks.push(sink, inbound);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.smtpPort, secure: false });
    const send = (to: string) =>
      transport.sendMail({
        from: 'news@zweck.test',
        envelope: { from: 'bounces@zweck.test', to },
        to,
        subject: 'hello',
        text: 'body',
        messageId: `<${to.split('@')[0]}@zweck.test>`,
      });
    return { sink, inbound, send };
  }

  it('refuses a bounce-sync recipient at RCPT TO with 550 5.1.1 and stores nothing', async () => {
    const { sink, send } = await pair();
    const error = (await send('bounce-sync-1@example.org').catch((e: unknown) => e)) as { responseCode?: number; response?: string };
    expect(error.responseCode).toBe(550);
    expect(error.response).toMatch(/^550 5\.1\.1 /);
    expect(sink.list()).toEqual([]);
  });

  it('accepts a bounce recipient, then mails a DSN (RFC 3464) with the null sender to the envelope sender', async () => {
    const { sink, inbound, send } = await pair();
    await send('bounce-1@example.org');
    await sink.feedbackSettled();
    const [report] = inbound.list();
    expect(report).toMatchObject({ envelopeFrom: '', envelopeTo: ['bounces@zweck.test'] });
    const raw = await (await fetch(`http://127.0.0.1:${inbound.httpPort}/api/messages/${report!.id}/raw`)).text();
    expect(raw).toMatch(/Content-Type: multipart\/report; report-type=delivery-status/);
    expect(raw).toMatch(/Status: 5\.1\.1/);
    expect(raw).toMatch(/Message-ID: <bounce-1@zweck\.test>/);
  });

  it('reports a soft bounce as 4.2.2 delayed, and a complaint as an ARF abuse report with the original message', async () => {
    const { sink, inbound, send } = await pair();
    await send('softbounce-1@example.org');
    await send('complain-1@example.org');
    await send('someone@example.org');
    await sink.feedbackSettled();
    expect(sink.list()).toHaveLength(3);
    const raws = await Promise.all(
      inbound.list().map(async (m) => (await fetch(`http://127.0.0.1:${inbound.httpPort}/api/messages/${m.id}/raw`)).text()),
    );
    expect(raws).toHaveLength(2);
    const soft = raws.find((r) => r.includes('report-type=delivery-status'));
    expect(soft).toMatch(/Action: delayed\r\nStatus: 4\.2\.2/);
    const arf = raws.find((r) => r.includes('report-type=feedback-report'));
    expect(arf).toMatch(/Feedback-Type: abuse/);
    const parsed = await simpleParser(arf!);
    expect(
      parsed.attachments.some((a) => a.contentType === 'message/rfc822' && a.content.toString().includes('<complain-1@zweck.test>')),
    ).toBe(true);
  });
});
