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

const sign = (secret: string, payload: string): string => createHmac('sha256', secret).update(payload).digest('base64url');

export function createUnsubscribeToken(secret: string, claims: Omit<UnsubscribeClaims, 'v'>): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, ...claims } satisfies UnsubscribeClaims)).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

export class InvalidUnsubscribeTokenError extends Error {
  override readonly name = 'InvalidUnsubscribeTokenError';
  constructor() {
    super('the unsubscribe link is not valid');
  }
}

/** The claims of a genuine token; throws InvalidUnsubscribeTokenError for anything else. */
export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribeClaims {
  const [payload, signature, extra] = token.split('.');
  if (payload === undefined || signature === undefined || extra !== undefined) throw new InvalidUnsubscribeTokenError();
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new InvalidUnsubscribeTokenError();
  try {
    return ZUnsubscribeClaims.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidUnsubscribeTokenError();
  }
}

export { escapeHtml } from './templates.ts';
