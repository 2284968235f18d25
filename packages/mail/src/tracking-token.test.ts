import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bounceMailbox,
  clickUrl,
  createClickToken,
  createOpenToken,
  createRenewToken,
  InvalidTrackingTokenError,
  linkListDigest,
  openPixelUrl,
  verifyClickToken,
  verifyOpenToken,
  verifyRenewToken,
} from './tracking-token.ts';
import { createUnsubscribeToken } from './unsubscribe-token.ts';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const claims = { m: randomUUID(), k: randomUUID(), c: randomUUID() };

describe('tracking tokens', () => {
  it('round-trip their claims, IDs only, and name the link by digest and index', () => {
    const digest = linkListDigest(['https://example.com/a', 'https://example.com/b']);
    expect(digest).toMatch(/^[0-9a-f]{32}$/);
    expect(verifyOpenToken(SECRET, createOpenToken(SECRET, claims))).toEqual({ v: 1, ...claims });
    expect(verifyClickToken(SECRET, createClickToken(SECRET, { ...claims, l: digest, i: 1 }))).toEqual({
      v: 1,
      ...claims,
      l: digest,
      i: 1,
    });
    expect(verifyOpenToken(SECRET, createOpenToken(SECRET, { ...claims, k: null })).k).toBeNull();
    const ask = randomUUID();
    expect(verifyRenewToken(SECRET, createRenewToken(SECRET, { a: ask })).a).toBe(ask);
  });

  it('refuse a forged signature, another secret, and tokens of another kind', () => {
    const open = createOpenToken(SECRET, claims);
    const click = createClickToken(SECRET, { ...claims, l: linkListDigest([]), i: 0 });
    const [payload] = click.split('.');
    const other = Buffer.from(JSON.stringify({ v: 1, ...claims, l: linkListDigest([]), i: 3 })).toString('base64url');
    const attempts: [(s: string, t: string) => unknown, string][] = [
      [verifyClickToken, `${other}.${click.split('.')[1]!}`],
      [verifyClickToken, `${payload!}.`],
      [verifyClickToken, open],
      [verifyOpenToken, click],
      [verifyRenewToken, open],
      [verifyOpenToken, createUnsubscribeToken(SECRET, { c: claims.c, p: 'newsletter', ch: 'email', m: claims.m })],
      [verifyOpenToken, createOpenToken('another-secret-of-at-least-32-characters', claims)],
      [verifyOpenToken, 'not-a-token'],
    ];
    for (const [verify, token] of attempts) expect(() => verify(SECRET, token)).toThrow(InvalidTrackingTokenError);
  });

  it('build the public URLs and the bounce mailbox', () => {
    expect(openPixelUrl('https://zweck.test/', 'tok')).toBe('https://zweck.test/t/o/tok.gif');
    expect(clickUrl('https://zweck.test', 'tok')).toBe('https://zweck.test/t/c/tok');
    expect(bounceMailbox('Zweck.TEST')).toBe('bounces@zweck.test');
  });
});
