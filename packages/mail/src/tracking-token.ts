import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Tokens of open and click tracking. Like the unsubscribe token they name people by ID only and
 * are signed (HMAC-SHA-256), so that nobody can record an open or a click for someone else, and a
 * click never redirects anywhere the product did not put into the message: the token names a link
 * by the digest of the message's link list (stored server-side) and its index in it, never by URL.
 *
 * - `m`: the message (mail log row) that carried the pixel or link;
 * - `k`: the campaign it belongs to, or null (a journey's or another step's message);
 * - `c`: the contact;
 * - `l`, `i` (clicks only): the link list's digest and the link's index in it.
 */
export const ZOpenClaims = z.object({
  v: z.literal(1),
  m: z.uuid(),
  k: z.uuid().nullable(),
  c: z.uuid(),
});
export type OpenClaims = z.infer<typeof ZOpenClaims>;

export const ZClickClaims = ZOpenClaims.extend({
  l: z.string().regex(/^[0-9a-f]{32}$/),
  i: z.number().int().min(0).max(9_999),
});
export type ClickClaims = z.infer<typeof ZClickClaims>;

type TrackingKind = 'track-open' | 'track-click';

// Domain separation: a tracking token never verifies as an unsubscribe or preferences token (or
// the other way round), even though they share the installation's secret.
const sign = (secret: string, kind: TrackingKind, payload: string): string =>
  createHmac('sha256', secret).update(`${kind}:${payload}`).digest('base64url');

function createToken(secret: string, kind: TrackingKind, claims: object): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, ...claims })).toString('base64url');
  return `${payload}.${sign(secret, kind, payload)}`;
}

export class InvalidTrackingTokenError extends Error {
  override readonly name = 'InvalidTrackingTokenError';
  constructor() {
    super('the tracking link is not valid');
  }
}

function verifyToken<T>(secret: string, kind: TrackingKind, token: string, schema: z.ZodType<T>): T {
  const [payload, signature, extra] = token.split('.');
  if (payload === undefined || signature === undefined || extra !== undefined) throw new InvalidTrackingTokenError();
  const expected = Buffer.from(sign(secret, kind, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new InvalidTrackingTokenError();
  try {
    return schema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidTrackingTokenError();
  }
}

export const createOpenToken = (secret: string, claims: Omit<OpenClaims, 'v'>): string => createToken(secret, 'track-open', claims);
export const createClickToken = (secret: string, claims: Omit<ClickClaims, 'v'>): string => createToken(secret, 'track-click', claims);
/** The claims of a genuine open token; throws InvalidTrackingTokenError for anything else. */
export const verifyOpenToken = (secret: string, token: string): OpenClaims => verifyToken(secret, 'track-open', token, ZOpenClaims);
/** The claims of a genuine click token; throws InvalidTrackingTokenError for anything else. */
export const verifyClickToken = (secret: string, token: string): ClickClaims => verifyToken(secret, 'track-click', token, ZClickClaims);

/** The digest that names a message's list of tracked links (the same links give the same digest). */
export const linkListDigest = (urls: readonly string[]): string =>
  createHash('sha256').update(JSON.stringify(urls), 'utf8').digest('hex').slice(0, 32);

/** The pixel's URL: `GET /t/o/<token>.gif`. */
export const openPixelUrl = (publicUrl: string, token: string): string => `${publicUrl.replace(/\/$/, '')}/t/o/${token}.gif`;
/** A tracked link's URL: `GET /t/c/<token>`, answered with a redirect to the stored link. */
export const clickUrl = (publicUrl: string, token: string): string => `${publicUrl.replace(/\/$/, '')}/t/c/${token}`;

/**
 * The mailbox that receives bounces (DSNs, RFC 3464) and complaints (ARF, RFC 5965): the envelope
 * sender (Return-Path) of every message the product sends, processed by the API's inbound listener.
 */
export const bounceMailbox = (mailDomain: string): string => `bounces@${mailDomain.toLowerCase()}`;

/**
 * The token of a re-permission link: the request (`repermission_ask` row) it answers, nothing
 * more. The page it opens renews exactly the consent that request was about, once.
 */
export const ZRenewClaims = z.object({ v: z.literal(1), a: z.uuid() });
export type RenewClaims = z.infer<typeof ZRenewClaims>;

const signRenew = (secret: string, payload: string): string => createHmac('sha256', secret).update(`renew:${payload}`).digest('base64url');

export function createRenewToken(secret: string, claims: Omit<RenewClaims, 'v'>): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, ...claims })).toString('base64url');
  return `${payload}.${signRenew(secret, payload)}`;
}

/** The claims of a genuine re-permission token; throws InvalidTrackingTokenError for anything else. */
export function verifyRenewToken(secret: string, token: string): RenewClaims {
  const [payload, signature, extra] = token.split('.');
  if (payload === undefined || signature === undefined || extra !== undefined) throw new InvalidTrackingTokenError();
  const expected = Buffer.from(signRenew(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new InvalidTrackingTokenError();
  try {
    return ZRenewClaims.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidTrackingTokenError();
  }
}

/** The re-permission page: `GET /renew/<token>` asks, its button POSTs. */
export const renewUrl = (publicUrl: string, token: string): string => `${publicUrl.replace(/\/$/, '')}/renew/${token}`;
