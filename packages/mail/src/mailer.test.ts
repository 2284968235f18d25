import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMailSink, type MailSink } from '@zweck/mail-sink';
import { decide, foldLedger, sha256HexPure, type AllowedDecision, type Decision } from '@zweck/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, messageIdFor, type Mailer } from './mailer.ts';
import { renderWelcome } from './templates.ts';
import {
  createUnsubscribeToken,
  findTokenCandidates,
  InvalidUnsubscribeTokenError,
  unsubscribeMailto,
  verifyUnsubscribeToken,
} from './unsubscribe-token.ts';

const NOW = '2026-11-29T10:00:00.000Z';
const purpose = { id: 'newsletter', legalBasis: 'consent', channels: ['email'], isDirectMarketing: true, hasBalancingTest: false } as const;
const decisionWith = (granted: boolean): Decision =>
  decide({
    subject: {
      status: 'active',
      isSuppressed: false,
      consents: foldLedger(
        granted ? [{ purposeId: 'newsletter', channel: 'email', kind: 'granted', occurredAt: '2026-11-01T00:00:00.000Z' }] : [],
      ),
    },
    purpose: { ...purpose, channels: ['email'] },
    channel: 'email',
    action: 'send',
    now: NOW,
  });

describe('mailer against a real SMTP server', () => {
  let sink: MailSink;
  let mailer: Mailer;
  beforeAll(async () => {
    sink = await startMailSink({ smtpPort: 0, httpPort: 0 });
    mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${sink.smtpPort}`, from: '"Zweck" <news@zweck.test>' });
  });
  afterAll(async () => {
    mailer.close();
    await sink.stop();
  });

  const message = (to: string) => ({
    to,
    ...renderWelcome({
      firstName: '<b>Eve</b>',
      purposeName: 'Newsletter',
      unsubscribeUrl: 'https://zweck.test/u/abc',
      preferencesUrl: 'https://zweck.test/preferences/abc',
      sender: { imprint: 'Zweck GmbH', privacyNoticeUrl: 'https://zweck.test/privacy' },
    }),
    messageId: messageIdFor(`welcome:${to}`, 'zweck.test'),
    unsubscribe: { url: 'https://zweck.test/u/abc', mailto: 'mailto:unsubscribe@zweck.test?subject=unsubscribe' },
  });

  it('sends with one List-Unsubscribe header (HTTPS and mailto) and RFC 8058 List-Unsubscribe-Post', async () => {
    const decision = decisionWith(true);
    if (!decision.allowed) throw new Error('expected an allowing decision');
    const result = await mailer.send(decision, message('eve@example.org'));
    expect(result.response).toMatch(/^250 /);
    const stored = sink.list().find((m) => m.to === 'eve@example.org');
    const full = sink.get(stored!.id)!;
    const unsubscribe = full.headers.filter((h) => h.name.toLowerCase() === 'list-unsubscribe');
    expect(unsubscribe).toHaveLength(1);
    expect(unsubscribe[0]!.value).toBe('<https://zweck.test/u/abc>, <mailto:unsubscribe@zweck.test?subject=unsubscribe>');
    expect(full.headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
    expect(full.messageId).toBe(messageIdFor('welcome:eve@example.org', 'zweck.test'));
    // Personalisation is escaped: the contact's name cannot inject markup.
    expect(full.html).toContain('&lt;b&gt;Eve&lt;/b&gt;');
    expect(full.html).not.toContain('<b>Eve</b>');
  });

  it('refuses a denial forged into an allowing type, and sends nothing', async () => {
    const before = sink.list().length;
    const denied = decisionWith(false);
    expect(denied.allowed).toBe(false);
    await expect(mailer.send(denied as unknown as AllowedDecision, message('mallory@example.org'))).rejects.toThrow(
      /allowing policy decision/,
    );
    expect(sink.list()).toHaveLength(before);
  });
});

describe('decision digest', () => {
  it("is the same with Node's native hash (the activities) as with the pure default (the workflow sandbox)", () => {
    const native = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
    const request = {
      subject: { status: 'active' as const, isSuppressed: false, consents: foldLedger([]) },
      purpose: { id: 'newsletter', legalBasis: 'consent' as const, channels: ['email' as const], isDirectMarketing: true },
      channel: 'email' as const,
      action: 'send' as const,
      now: NOW,
    };
    expect(decide(request, { sha256Hex: native }).inputDigest).toBe(decide(request).inputDigest);
    expect(native('ä')).toBe(sha256HexPure('ä'));
  });
});

describe('unsubscribe token', () => {
  const secret = 'x'.repeat(40);
  const claims = { c: '00000000-0000-4000-8000-000000000001', p: 'newsletter', ch: 'email', m: '00000000-0000-4000-8000-000000000002' };

  it('round-trips and carries no address', () => {
    const token = createUnsubscribeToken(secret, claims);
    expect(verifyUnsubscribeToken(secret, token)).toEqual({ v: 1, ...claims });
    expect(Buffer.from(token.split('.')[0]!, 'base64url').toString()).not.toContain('@');
  });

  it('refuses a tampered token or another key', () => {
    const token = createUnsubscribeToken(secret, claims);
    const other = createUnsubscribeToken(secret, { ...claims, c: '00000000-0000-4000-8000-000000000009' });
    const forged = `${other.split('.')[0]}.${token.split('.')[1]}`;
    expect(() => verifyUnsubscribeToken(secret, forged)).toThrow(InvalidUnsubscribeTokenError);
    expect(() => verifyUnsubscribeToken('y'.repeat(40), token)).toThrow(InvalidUnsubscribeTokenError);
    expect(() => verifyUnsubscribeToken(secret, 'garbage')).toThrow(InvalidUnsubscribeTokenError);
  });

  it('is found again in the subject a mail client writes from the mailto URI, and in a quoted link', () => {
    const token = createUnsubscribeToken(secret, claims);
    const mailto = new URL(unsubscribeMailto('Zweck.TEST', token));
    expect(mailto.pathname).toBe('unsubscribe@zweck.test');
    const subject = mailto.searchParams.get('subject') ?? '';
    expect(findTokenCandidates(`Re: ${subject}`)).toEqual([token]);
    expect(findTokenCandidates(`> Unsubscribe: https://zweck.test/u/${token}.\n> Preferences: https://zweck.test/`)).toEqual([token]);
    expect(findTokenCandidates('unsubscribe please, example.org')).toEqual([]);
    // Linear on hostile input: a long run of token characters without a dot finds nothing, fast.
    expect(findTokenCandidates('A'.repeat(200_000))).toEqual([]);
  });
});

describe('architecture', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url));

  async function sourceFiles(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (['node_modules', 'dist', 'generated', '.data', '.bin', '.cache', '.git', '.turbo'].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
      else if (/\.(ts|tsx)$/.test(entry.name) && !/\.(test|spec)\.tsx?$/.test(entry.name)) out.push(path);
    }
    return out;
  }

  it('lets exactly one module reach the mail transport', async () => {
    const importers: string[] = [];
    for (const dir of ['apps', 'packages', 'workflows']) {
      for (const file of await sourceFiles(join(root, dir))) {
        if (/from ['"]nodemailer['"]|require\(['"]nodemailer['"]\)/.test(await readFile(file, 'utf8')))
          importers.push(relative(root, file));
      }
    }
    expect(importers).toEqual(['packages/mail/src/mailer.ts']);
  });
});
