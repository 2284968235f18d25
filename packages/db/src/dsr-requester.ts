import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { normalizeEmail } from './suppression.ts';

/*
 * The address a person types into the public request form, before (and unless) it is matched to
 * a contact. It is needed twice: to mail the verification link and the answer, and to find a
 * repeat of the same request. So the row keeps a keyed hash (for the repeats; irreversible
 * without the installation's key) and a sealed copy (AES-256-GCM, for the mails), never the clear
 * text, and the request clears the sealed copy when it closes (Art. 5(1)(c), (e), 32 GDPR).
 * Hand-written over node:crypto because it is a dozen lines of standard primitives and both the
 * API (sealing at intake) and the activities (opening to mail) must share it.
 */

const SEAL_VERSION = 'v1';

/** A key of its own for each use, derived from the installation's suppression key (HKDF-SHA-256). */
const deriveKey = (secret: string, info: string): Buffer =>
  Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), `zweck:dsr-requester:${info}`, 32));

/** The keyed hash of a requester's address (normalised), for matching repeats. */
export const requesterHash = (secret: string, email: string): string =>
  `hmac-sha256:${createHmac('sha256', deriveKey(secret, 'hash')).update(normalizeEmail(email)).digest('hex')}`;

/** The address sealed with AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>`, base64url. */
export function sealRequester(secret: string, email: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, 'seal'), iv);
  const sealed = Buffer.concat([cipher.update(email, 'utf8'), cipher.final()]);
  return [SEAL_VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
}

/** The address from its sealed form; throws (without the content) when the seal was tampered with or made under another key. */
export function openRequester(secret: string, sealed: string): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== SEAL_VERSION || iv === undefined || tag === undefined || data === undefined)
    throw new Error('not a sealed requester address');
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret, 'seal'), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
