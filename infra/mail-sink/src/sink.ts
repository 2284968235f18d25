import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { StoredMessage, StoredMessageSummary } from './types.ts';
import { createFeedbackSender, feedbackRuleFor, type FeedbackOptions } from './feedback.ts';

export type { StoredMessage, StoredMessageSummary } from './types.ts';

export interface MailSinkOptions {
  host?: string;
  /** 0 picks a free port. */
  smtpPort: number;
  httpPort: number;
  /** Messages are kept as files here, so that they survive a restart; omitted: memory only. */
  dataDir?: string;
  /** Largest message accepted, in bytes. */
  maxSize?: number;
  /**
   * The bounce and complaint mode (see feedback.ts): recipients whose local part starts with
   * `bounce-sync`, `bounce`, `softbounce` or `complain` are refused, bounced or complained about,
   * and the reports go to `relay`. Omitted: everything is accepted and nothing comes back.
   */
  feedback?: FeedbackOptions;
  /** Answer each message's DATA only after this long, like a slow provider (tests of a worker stopped mid-send). */
  dataDelayMs?: number;
}

export interface MailSink {
  smtpPort: number;
  httpPort: number;
  list(): StoredMessageSummary[];
  get(id: string): StoredMessage | undefined;
  clear(): Promise<void>;
  /** Removes the messages to an address; how many went. */
  removeByRecipient(address: string): Promise<number>;
  /** Resolves when every bounce or complaint report under way has been delivered (feedback mode). */
  feedbackSettled(): Promise<void>;
  stop(): Promise<void>;
}

const summaryOf = ({ headers: _h, text: _t, html: _x, ...summary }: StoredMessage): StoredMessageSummary => summary;

/** Reads the unfolded header lines of a raw RFC 5322 message, in order. */
function headerLines(raw: string): { name: string; value: string }[] {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  return head
    .split(/\r?\n/)
    .map((line) => {
      const colon = line.indexOf(':');
      return colon === -1 ? null : { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
    })
    .filter((h): h is { name: string; value: string } => h !== null);
}

/**
 * A real SMTP server that accepts everything and stores it. Tests and the admin's outbox read
 * the messages back over a small JSON API: GET /api/messages, GET /api/messages/:id,
 * GET /api/messages/:id/raw, DELETE /api/messages, DELETE /api/messages?recipient=<address> (an
 * erasure's), POST /api/messages/search with {"terms": [...]} (the erasure verifier's counts).
 */
export async function startMailSink(options: MailSinkOptions): Promise<MailSink> {
  const host = options.host ?? '127.0.0.1';
  const messages = new Map<string, StoredMessage>();
  const raws = new Map<string, string>();
  const dir = options.dataDir;

  if (dir) {
    await mkdir(dir, { recursive: true });
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json'))) {
      const stored = JSON.parse(await readFile(join(dir, file), 'utf8')) as StoredMessage;
      messages.set(stored.id, stored);
    }
  }

  const feedback = options.feedback ? createFeedbackSender(options.feedback) : null;

  const smtp = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: options.maxSize ?? 25 * 1024 * 1024,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (feedback && feedbackRuleFor(address.address) === 'sync_bounce') {
        const refusal = new Error('5.1.1 The email account that you tried to reach does not exist') as Error & { responseCode: number };
        refusal.responseCode = 550;
        return callback(refusal);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        void (async () => {
          if (options.dataDelayMs) await new Promise((resolve) => setTimeout(resolve, options.dataDelayMs));
          const parsed = await simpleParser(raw);
          const id = randomUUID();
          const address = (a: typeof parsed.to): string =>
            a === undefined ? '' : (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ');
          const stored: StoredMessage = {
            id,
            receivedAt: new Date().toISOString(),
            envelopeFrom: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            from: parsed.from?.text ?? '',
            to: address(parsed.to),
            messageId: parsed.messageId ?? null,
            size: raw.length,
            headers: headerLines(raw),
            text: parsed.text ?? null,
            html: typeof parsed.html === 'string' ? parsed.html : null,
          };
          messages.set(id, stored);
          raws.set(id, raw);
          if (dir) {
            await writeFile(join(dir, `${id}.eml`), raw);
            await writeFile(join(dir, `${id}.json`), JSON.stringify(stored));
          }
          callback(null, `Queued as ${id}`);
          feedback?.afterReceived({ mailFrom: stored.envelopeFrom, recipients: stored.envelopeTo, raw });
        })().catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
      });
    },
  });

  const list = (): StoredMessageSummary[] => [...messages.values()].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt)).map(summaryOf);

  const clear = async (): Promise<void> => {
    messages.clear();
    raws.clear();
    if (dir) {
      for (const file of await readdir(dir)) await rm(join(dir, file), { force: true });
    }
  };

  const rawOf = async (messageId: string): Promise<string> =>
    raws.get(messageId) ?? (dir ? await readFile(join(dir, `${messageId}.eml`), 'utf8').catch(() => '') : '');

  /**
   * Removes every message to an address (an erasure, Art. 17 GDPR): envelope recipients and the
   * To header, compared case-insensitively; the files go too.
   */
  const removeByRecipient = async (address: string): Promise<number> => {
    const wanted = address.trim().toLowerCase();
    if (!wanted) return 0;
    let removed = 0;
    for (const message of [...messages.values()]) {
      const to = [...message.envelopeTo, message.to].map((a) => a.toLowerCase());
      if (!to.some((a) => a.includes(wanted))) continue;
      messages.delete(message.id);
      raws.delete(message.id);
      if (dir) {
        await rm(join(dir, `${message.id}.eml`), { force: true });
        await rm(join(dir, `${message.id}.json`), { force: true });
      }
      removed += 1;
    }
    return removed;
  };

  /** How many stored messages contain any of the terms anywhere (raw message and parsed form), case-insensitively. */
  const search = async (terms: string[]): Promise<{ messages: number; matches: number }> => {
    const lowered = terms.map((t) => t.toLowerCase());
    let matches = 0;
    for (const message of messages.values()) {
      const haystack = `${await rawOf(message.id)}\n${JSON.stringify(message)}`.toLowerCase();
      if (lowered.some((t) => haystack.includes(t))) matches += 1;
    }
    return { messages: messages.size, matches };
  };

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json'): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(type === 'application/json' ? JSON.stringify(body) : String(body));
  };

  const http: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sink');
      const parts = url.pathname.split('/').filter(Boolean);
      if (parts[0] !== 'api' || parts[1] !== 'messages') return send(res, 404, { error: 'not found' });
      const id = parts[2];
      if (req.method === 'GET' && id === undefined) return send(res, 200, list());
      if (req.method === 'DELETE' && id === undefined && url.searchParams.has('recipient')) {
        return send(res, 200, { deleted: await removeByRecipient(url.searchParams.get('recipient') ?? '') });
      }
      if (req.method === 'DELETE' && id === undefined) {
        await clear();
        return send(res, 200, { deleted: true });
      }
      if (req.method === 'POST' && id === 'search' && parts[3] === undefined) {
        const body = JSON.parse((await readBody(req)) || '{}') as { terms?: unknown };
        const terms = Array.isArray(body.terms) ? body.terms.filter((t): t is string => typeof t === 'string' && t.length > 0) : [];
        return send(res, 200, await search(terms));
      }
      const message = id === undefined ? undefined : messages.get(id);
      if (req.method === 'GET' && message && parts[3] === 'raw') {
        const raw = raws.get(message.id) ?? (dir ? await readFile(join(dir, `${message.id}.eml`), 'utf8') : '');
        return send(res, 200, raw, 'message/rfc822');
      }
      if (req.method === 'GET' && message && parts[3] === undefined) return send(res, 200, message);
      return send(res, 404, { error: `no message ${id ?? ''}` });
    })().catch((error: unknown) => send(res, 500, { error: error instanceof Error ? error.message : 'error' }));
  });

  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort, host, () => resolve());
  });
  // A client that vanishes mid-conversation (a sender killed outright resets its connections) is
  // that client's problem; without a listener, smtp-server's 'error' event would end the sink.
  smtp.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.httpPort, host, () => resolve());
  });

  const smtpAddress = (smtp as unknown as { server: Server }).server.address() as AddressInfo;
  return {
    smtpPort: smtpAddress.port,
    httpPort: (http.address() as AddressInfo).port,
    list,
    get: (id) => messages.get(id),
    clear,
    removeByRecipient,
    feedbackSettled: async () => feedback?.settled(),
    async stop() {
      feedback?.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
