import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Db } from '@zweck/db';
import { startMailSink, type MailSink } from '@zweck/mail-sink';
import { createMailSinkClient, type MailSinkClient } from '@zweck/mail-sink/client';
import type { FastifyInstance } from 'fastify';
import { simpleParser, type ParsedMail } from 'mailparser';
import pino from 'pino';
import { expect } from 'vitest';
import type { CampaignOut } from '../routers/campaigns/campaigns.schema.ts';
import { createServer } from '../server.ts';
import { startUnsubscribeMailListener } from '../unsubscribe/unsubscribe-mail.listener.ts';
import { createHarness, type Harness } from './harness.ts';
import { startWorkerProcess, type WorkerProcess } from './worker-process.ts';

const FOOTER_HTML =
  '<p>{{imprint}} · <a href="{{privacy_notice_url}}">Privacy</a> · <a href="{{preferences_url}}">Preferences</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>';
const FOOTER_TEXT = '{{imprint}}\nPrivacy: {{privacy_notice_url}}\nPreferences: {{preferences_url}}\nUnsubscribe: {{unsubscribe_url}}';
/** The two links of the stack's marketing template, in document order. */
export const OFFER = 'https://shop.example.com/offer?utm=nov';
export const AGENDA = 'https://shop.example.com/agenda';
/** A real run on a loaded machine: give the workflows time, but not forever. */
export const RUN_TIMEOUT = 90_000;

export interface FeedbackStack {
  h: Harness;
  db: Db;
  /** The API's HTTP server (tracking, re-permission pages), driven by `app.inject`. */
  app: FastifyInstance;
  /** The sink in its bounce and complaint mode, and its HTTP client. */
  sinkServer: MailSink;
  sink: MailSinkClient;
  worker: WorkerProcess;
  /** Everything the API's listener and HTTP server logged. */
  logLines: string[];
  /** Unique to this stack, for names and addresses. */
  marker: string;
  /** A contact with newsletter consent given in person, optionally with consent to tracking and an expiry. */
  person(email: string, options?: { tracking?: boolean; expiresAt?: Date; grantedAt?: Date }): Promise<string>;
  /** A segment of the contacts whose address is at `domain`. */
  segmentFor(domain: string): Promise<string>;
  /** Composes, starts and waits for a newsletter campaign of the stack's template to the segment. */
  runCampaign(name: string, segmentId: string, track: boolean): Promise<CampaignOut>;
  waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>): Promise<T>;
  /** The (first) mail to `address`, parsed from the raw message as a mail client would. */
  mailTo(address: string): Promise<ParsedMail>;
  stop(): Promise<void>;
}

export const pathOf = (url: string): string => new URL(url).pathname;
export const hrefs = (html: string): string[] => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));

/**
 * What comes back from mail, on the real stack: the product's worker process sends into a real
 * SMTP sink in its bounce and complaint mode, the sink mails its reports to the API's real inbound
 * listener, and the API's HTTP server answers tracking hits and the re-permission page.
 */
export async function startFeedbackStack(): Promise<FeedbackStack> {
  const h = await createHarness();
  const db = h.db;
  const logLines: string[] = [];
  const marker = randomUUID().slice(0, 8);
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );
  const listener = await startUnsubscribeMailListener({ ...h.deps, log }, { host: '127.0.0.1', port: 0, maxBytes: 256 * 1024 });
  const sinkServer = await startMailSink({
    smtpPort: 0,
    httpPort: 0,
    feedback: { relay: { host: '127.0.0.1', port: listener.port }, delayMs: 0 },
  });
  const sink = createMailSinkClient(`http://127.0.0.1:${sinkServer.httpPort}`);
  const worker = await startWorkerProcess(h, `smtp://127.0.0.1:${sinkServer.smtpPort}`);
  const server = createServer({ ...h.deps, log });
  await server.app.ready();
  const templateId = randomUUID();
  await db.template.create({
    data: {
      id: templateId,
      name: `Offers ${marker}`,
      kind: 'marketing',
      subject: 'Our offer',
      html: `<html><body><p>Hello {{first_name}},</p><p><a href="${OFFER}">See the offer</a> or <a href="${AGENDA}">the agenda</a>.</p>${FOOTER_HTML}</body></html>`,
      text: `Hello {{first_name}},\nthe offer: ${OFFER}\n${FOOTER_TEXT}`,
      createdBy: 'system:test',
    },
  });

  async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>): Promise<T> {
    const deadline = Date.now() + RUN_TIMEOUT;
    while (Date.now() < deadline) {
      const value = await probe();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`timed out waiting for ${what}\n--- worker output ---\n${worker.output().slice(-4000)}`);
  }

  return {
    h,
    db,
    app: server.app,
    sinkServer,
    sink,
    worker,
    logLines,
    marker,
    async person(email, options = {}) {
      const id = randomUUID();
      await db.contact.create({ data: { id, email, emailNormalized: email, firstName: 'Quirin' } });
      const base = { contactId: id, channel: 'email', source: 'test', actor: 'contact' };
      await db.consentEvent.create({
        data: {
          ...base,
          purposeId: 'newsletter',
          kind: 'granted',
          method: 'in_person',
          occurredAt: options.grantedAt ?? new Date(Date.now() - 86_400_000),
          expiresAt: options.expiresAt ?? null,
          wordingVersion: '2026-11',
        },
      });
      if (options.tracking) {
        await db.consentEvent.create({
          data: {
            ...base,
            purposeId: 'email_tracking',
            kind: 'granted',
            method: 'web_form',
            occurredAt: new Date(Date.now() - 86_400_000),
          },
        });
      }
      return id;
    },
    async segmentFor(domain) {
      const id = randomUUID();
      await db.segment.create({
        data: {
          id,
          name: `Domain ${domain}`,
          definition: { version: 1, match: 'all', conditions: [{ type: 'field', field: 'email', op: 'contains', value: `@${domain}` }] },
          createdBy: 'system:test',
        },
      });
      return id;
    },
    async runCampaign(name, segmentId, track) {
      const marketer = h.callerFor('marketer').caller;
      const draft = await marketer.campaigns.create({ name, segmentId, templateId, purposeId: 'newsletter', channel: 'email', track });
      expect(draft.track).toBe(track);
      await marketer.campaigns.start({ id: draft.id });
      return waitFor(`campaign ${name} completed`, async () => {
        const c = await marketer.campaigns.get({ id: draft.id });
        return c.status === 'completed' ? c : null;
      });
    },
    waitFor,
    async mailTo(address) {
      const found = await waitFor(`a mail to ${address}`, async () => (await sink.list()).find((m) => m.to === address));
      return simpleParser(await (await fetch(`http://127.0.0.1:${sinkServer.httpPort}/api/messages/${found.id}/raw`)).text());
    },
    async stop() {
      await worker.stop();
      await server.app.close();
      await sinkServer.stop();
      await listener.stop();
      await h.close();
    },
  };
}
