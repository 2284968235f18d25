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

/**
 * The token of a data-subject request's verification link (Art. 12(6) GDPR): the request by ID and
 * the deadline after which the link no longer verifies it. Whoever holds the mailbox holds the link.
 */
export const ZDsrVerifyClaims = z.object({ v: z.literal(1), r: z.uuid(), e: z.iso.datetime({ offset: true }) });
export type DsrVerifyClaims = z.infer<typeof ZDsrVerifyClaims>;

// Domain separation: a token of one kind never verifies as another, even under one secret.
type TokenKind = 'unsubscribe' | 'confirm' | 'preferences' | 'dsr_verify';
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
export const createDsrVerifyToken = (secret: string, claims: Omit<DsrVerifyClaims, 'v'>): string =>
  createToken(secret, 'dsr_verify', claims);

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

/**
 * The mailbox of the mailto unsubscribe (RFC 2369): every marketing mail names it in
 * `List-Unsubscribe`, and the API's inbound SMTP listener accepts mail for it and nothing else.
 */
export const unsubscribeMailbox = (mailDomain: string): string => `unsubscribe@${mailDomain.toLowerCase()}`;

/** The mailto URI of one message's unsubscribe: the signed token travels in the subject. */
export const unsubscribeMailto = (mailDomain: string, token: string): string =>
  `mailto:${unsubscribeMailbox(mailDomain)}?subject=${encodeURIComponent(`unsubscribe ${token}`)}`;

/**
 * Strings in a text that have the shape of a signed token (base64url "." 43 characters of
 * base64url signature), at most `limit` of them, in order. Shape only: the caller verifies each
 * (a mail client may add "Re:" or quote other links). Linear in the text, whatever it holds.
 */
export function findTokenCandidates(text: string, limit = 10): string[] {
  const found: string[] = [];
  for (const word of text.split(/[^A-Za-z0-9_.-]+/)) {
    const [payload, signature, extra] = word.replace(/\.+$/, '').split('.');
    if (extra !== undefined || payload === undefined || signature === undefined) continue;
    const token = `${payload}.${signature}`;
    if (payload.length < 16 || signature.length !== 43 || found.includes(token)) continue;
    found.push(token);
    if (found.length >= limit) break;
  }
  return found;
}

/** The claims of a genuine preference-center token; throws InvalidUnsubscribeTokenError for anything else. */
export const verifyPreferencesToken = (secret: string, token: string): PreferencesClaims =>
  verifyToken(secret, 'preferences', token, ZPreferencesClaims);

/** The claims of a genuine request verification token (not checked for expiry); throws InvalidUnsubscribeTokenError for anything else. */
export const verifyDsrVerifyToken = (secret: string, token: string): DsrVerifyClaims =>
  verifyToken(secret, 'dsr_verify', token, ZDsrVerifyClaims);
