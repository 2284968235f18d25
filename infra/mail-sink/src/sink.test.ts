import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { createMailSinkClient } from './client.ts';
import { startMailSink, type MailSink } from './sink.ts';

describe('mail sink', () => {
  let sink: MailSink | undefined;
  afterEach(async () => sink?.stop());

  it('stores what it receives over SMTP and serves it over HTTP, headers in order', async () => {
    sink = await startMailSink({ smtpPort: 0, httpPort: 0 });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.smtpPort, secure: false });
    await transport.sendMail({
      from: 'a@example.org',
      to: 'b@example.org',
      subject: 'Hallo Wörld',
      text: 'body',
      headers: { 'X-First': '1', 'X-Second': '2' },
    });
    const client = createMailSinkClient(`http://127.0.0.1:${sink.httpPort}`);
    const [summary] = await client.list();
    expect(summary).toMatchObject({ subject: 'Hallo Wörld', to: 'b@example.org', envelopeTo: ['b@example.org'] });
    const full = await client.get(summary!.id);
    const names = full!.headers.map((h) => h.name);
    expect(names.indexOf('X-First')).toBeLessThan(names.indexOf('X-Second'));
    expect(full!.text?.trim()).toBe('body');
    expect(await client.get('00000000-0000-4000-8000-000000000000')).toBeNull();
    await client.clear();
    expect(await client.list()).toEqual([]);
  });

  it('keeps messages across a restart when given a folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zweck-sink-'));
    sink = await startMailSink({ smtpPort: 0, httpPort: 0, dataDir: dir });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.smtpPort, secure: false });
    await transport.sendMail({ from: 'a@example.org', to: 'c@example.org', subject: 'kept', text: 'x' });
    await sink.stop();
    sink = await startMailSink({ smtpPort: 0, httpPort: 0, dataDir: dir });
    expect(sink.list().map((m) => m.subject)).toEqual(['kept']);
  });

  it('removes the messages to one address, files included, and counts what a search still finds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zweck-sink-'));
    sink = await startMailSink({ smtpPort: 0, httpPort: 0, dataDir: dir });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.smtpPort, secure: false });
    await transport.sendMail({ from: 'a@example.org', to: 'Erika.Gone@Example.org', subject: 'one', text: 'Hallo Erika Gone' });
    await transport.sendMail({ from: 'a@example.org', to: 'erika.gone@example.org', subject: 'two', text: 'again' });
    await transport.sendMail({ from: 'a@example.org', to: 'stays@example.org', subject: 'three', text: 'about Erika Gone' });
    const base = `http://127.0.0.1:${sink.httpPort}`;
    const search = async (terms: string[]) =>
      await (await fetch(`${base}/api/messages/search`, { method: 'POST', body: JSON.stringify({ terms }) })).json();
    expect(await search(['ERIKA.GONE@example.org'])).toEqual({ messages: 3, matches: 2 });
    const res = await fetch(`${base}/api/messages?recipient=${encodeURIComponent('erika.gone@example.org')}`, { method: 'DELETE' });
    expect(await res.json()).toEqual({ deleted: 2 });
    expect(sink.list().map((m) => m.subject)).toEqual(['three']);
    expect(await search(['erika.gone@example.org'])).toEqual({ messages: 1, matches: 0 });
    // The name in the remaining message's body is still found: the verifier reports it.
    expect(await search(['erika gone'])).toEqual({ messages: 1, matches: 1 });
    await sink.stop();
    sink = await startMailSink({ smtpPort: 0, httpPort: 0, dataDir: dir });
    expect(sink.list().map((m) => m.subject)).toEqual(['three']);
  });
});
