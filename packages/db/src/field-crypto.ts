import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

/*
 * Free-text personal data (notes, free-text catalogue fields, second-factor secrets) is sealed in
 * the application before it reaches PostgreSQL, with AES-256-GCM under a key that lives outside
 * the database (FIELD_ENCRYPTION_KEYS, Art. 32(1)(a) GDPR). A dump, a replica or a backup then
 * holds ciphertext only.
 *
 * The key ring is `id:base64,id:base64,...`; the first key seals, every key opens, so a key is
 * rotated by putting a new one first and re-sealing (`pnpm --filter @zweck/db rotate:field-key`)
 * before the old one is dropped. Each sealed value names its key and is bound by the GCM
 * additional data to where it belongs (`contact:<id>:field:<key>`): copied into another row or
 * field it no longer opens.
 *
 * Hand-written over node:crypto: a dozen lines of standard primitives; the libraries that wrap
 * them bring key management of their own that would sit beside the installation's.
 */

const SEAL_PREFIX = 'zf1';

export interface FieldKeyRing {
  currentKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** Parses FIELD_ENCRYPTION_KEYS; a malformed entry names the key it is about, never its material. */
export const ZFieldKeys = z
  .string()
  .min(1, 'FIELD_ENCRYPTION_KEYS is empty')
  .transform((value, ctx): FieldKeyRing => {
    const keys = new Map<string, Buffer>();
    for (const entry of value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [id, material] = entry.split(':');
      const key = Buffer.from(material ?? '', 'base64');
      if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || key.length !== 32) {
        ctx.addIssue({ code: 'custom', message: `field key "${id ?? ''}" must be written as <id>:<base64 of 32 bytes>` });
        return z.NEVER;
      }
      if (keys.has(id)) {
        ctx.addIssue({ code: 'custom', message: `field key "${id}" appears twice` });
        return z.NEVER;
      }
      keys.set(id, key);
    }
    const [currentKeyId] = keys.keys();
    if (currentKeyId === undefined) {
      ctx.addIssue({ code: 'custom', message: 'at least one field key is needed' });
      return z.NEVER;
    }
    return { currentKeyId, keys };
  });

/** A sealed value that does not open: unknown key, wrong place, or changed. Carries no content. */
export class FieldSealError extends Error {
  override readonly name = 'FieldSealError';
  constructor(
    readonly reason: 'malformed' | 'unknown_key' | 'tampered_or_misplaced',
    readonly keyId: string | null,
    /** The field the value belongs to, where the caller knows it (a key, never a value). */
    readonly fieldKey: string | null = null,
  ) {
    super(`sealed field value${fieldKey ? ` of "${fieldKey}"` : ''} does not open (${reason}${keyId ? `, key ${keyId}` : ''})`);
  }
}

export interface FieldCipher {
  /** `zf1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url), under the current key, bound to `context`. */
  seal(plaintext: string, context: string): string;
  /** The clear text; throws FieldSealError when the value does not open in this context. */
  open(sealed: string, context: string): string;
  /** Whether a value is a sealed one (and not clear text written before encryption existed). */
  isSealed(value: string): boolean;
  /** The key a sealed value was made with, or null for a value that is not sealed. */
  keyIdOf(value: string): string | null;
  readonly currentKeyId: string;
}

export function createFieldCipher(ring: FieldKeyRing): FieldCipher {
  const parse = (sealed: string): { keyId: string; iv: Buffer; tag: Buffer; data: Buffer } | null => {
    const [prefix, keyId, iv, tag, data, extra] = sealed.split('.');
    if (prefix !== SEAL_PREFIX || !keyId || !iv || !tag || data === undefined || extra !== undefined) return null;
    return { keyId, iv: Buffer.from(iv, 'base64url'), tag: Buffer.from(tag, 'base64url'), data: Buffer.from(data, 'base64url') };
  };
  return {
    currentKeyId: ring.currentKeyId,
    seal(plaintext, context) {
      const key = ring.keys.get(ring.currentKeyId)!;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        SEAL_PREFIX,
        ring.currentKeyId,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        data.toString('base64url'),
      ].join('.');
    },
    open(sealed, context) {
      const parts = parse(sealed);
      if (!parts) throw new FieldSealError('malformed', null);
      const key = ring.keys.get(parts.keyId);
      if (!key) throw new FieldSealError('unknown_key', parts.keyId);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, parts.iv);
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(parts.tag);
        return Buffer.concat([decipher.update(parts.data), decipher.final()]).toString('utf8');
      } catch {
        throw new FieldSealError('tampered_or_misplaced', parts.keyId);
      }
    },
    isSealed: (value) => parse(value) !== null,
    keyIdOf: (value) => parse(value)?.keyId ?? null,
  };
}

/**
 * A keyed hash (HMAC-SHA-256) of a normalised value, for the fields that must be found by exact
 * value while their text is sealed. The key is derived from the installation's secret per
 * `domain` (e.g. `field:customer_number`), so equal values in two domains do not hash alike, and
 * without the secret the hash cannot be reversed by trying candidate values.
 */
export function searchHash(secret: string, domain: string, normalizedValue: string): string {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), `zweck:search:${domain}`, 32));
  return createHmac('sha256', key).update(normalizedValue, 'utf8').digest('hex');
}
