import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * The token in a message's unsubscribe link. It names the contact by ID, never by address, and
 * is signed (HMAC-SHA-256) so that nobody can withdraw someone else's consent by guessing IDs.
 * `m` is the ID of the message (mail log row) that carried the link.
 */
export const ZUnsubscribeClaims = z.object({
  v: z.literal(1),
  c: z.uuid(),
  p: z.string().min(1),
  ch: z.string().min(1),
  m: z.uuid(),
});
export type UnsubscribeClaims = z.infer<typeof ZUnsubscribeClaims>;

/**
 * The token of a double opt-in confirmation link: the contact, the purpose and channel, and the
 * grant it confirms (its time), with the deadline after which it no longer confirms anything.
 */
export const ZConfirmClaims = z.object({
  v: z.literal(1),
  c: z.uuid(),
  p: z.string().min(1),
  ch: z.string().min(1),
  g: z.iso.datetime({ offset: true }),
  e: z.iso.datetime({ offset: true }),
});
export type ConfirmClaims = z.infer<typeof ZConfirmClaims>;

/** The token of the preference-center link in every marketing mail: the contact, nothing more. */
export const ZPreferencesClaims = z.object({ v: z.literal(1), c: z.uuid() });
export type PreferencesClaims = z.infer<typeof ZPreferencesClaims>;

// Domain separation: a token of one kind never verifies as another, even under one secret.
type TokenKind = 'unsubscribe' | 'confirm' | 'preferences';
const sign = (secret: string, kind: TokenKind, payload: string): string =>
  createHmac('sha256', secret).update(`${kind}:${payload}`).digest('base64url');

function createToken(secret: string, kind: TokenKind, claims: object): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, ...claims })).toString('base64url');
  return `${payload}.${sign(secret, kind, payload)}`;
}

export const createUnsubscribeToken = (secret: string, claims: Omit<UnsubscribeClaims, 'v'>): string =>
  createToken(secret, 'unsubscribe', claims);
export const createConfirmToken = (secret: string, claims: Omit<ConfirmClaims, 'v'>): string => createToken(secret, 'confirm', claims);
export const createPreferencesToken = (secret: string, claims: Omit<PreferencesClaims, 'v'>): string =>
  createToken(secret, 'preferences', claims);

export class InvalidUnsubscribeTokenError extends Error {
  override readonly name = 'InvalidUnsubscribeTokenError';
  constructor() {
    super('the link is not valid');
  }
}

function verifyToken<T>(secret: string, kind: TokenKind, token: string, schema: z.ZodType<T>): T {
  const [payload, signature, extra] = token.split('.');
  if (payload === undefined || signature === undefined || extra !== undefined) throw new InvalidUnsubscribeTokenError();
  const expected = Buffer.from(sign(secret, kind, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new InvalidUnsubscribeTokenError();
  try {
    return schema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidUnsubscribeTokenError();
  }
}

/** The claims of a genuine token; throws InvalidUnsubscribeTokenError for anything else. */
export const verifyUnsubscribeToken = (secret: string, token: string): UnsubscribeClaims =>
  verifyToken(secret, 'unsubscribe', token, ZUnsubscribeClaims);
/** The claims of a genuine confirmation token; throws InvalidUnsubscribeTokenError for anything else. */
export const verifyConfirmToken = (secret: string, token: string): ConfirmClaims => verifyToken(secret, 'confirm', token, ZConfirmClaims);

export { escapeHtml } from './templates.ts';

/** The claims of a genuine preference-center token; throws InvalidUnsubscribeTokenError for anything else. */
export const verifyPreferencesToken = (secret: string, token: string): PreferencesClaims =>
  verifyToken(secret, 'preferences', token, ZPreferencesClaims);
